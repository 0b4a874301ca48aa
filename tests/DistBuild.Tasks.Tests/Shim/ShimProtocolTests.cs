using DistBuild.Coordinator.Compilation;

namespace DistBuild.Tasks.Tests.Shim;

public class ShimProtocolTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Request_survives_a_round_trip_with_unicode_and_empty_values(bool stdinIsNull)
    {
        var request = new ShimRequest("/usr/bin/rustc", ["--crate-name", "café", "", "src/lib.rs"], "/tmp/ws",
            new Dictionary<string, string> { ["A"] = "1", ["EMPTY"] = "", ["ÜNICODE"] = "✓" }, stdinIsNull);

        var decoded = ShimProtocol.DecodeRequest(ShimSide.ReadFrame(new MemoryStream(ShimSide.EncodeRequest(request))));

        Assert.Equal(request.RustcPath, decoded.RustcPath);
        Assert.Equal(request.Arguments, decoded.Arguments);
        Assert.Equal(request.WorkingDirectory, decoded.WorkingDirectory);
        Assert.Equal(request.Environment, decoded.Environment);
        Assert.Equal(stdinIsNull, decoded.StdinIsNull);
    }

    [Fact]
    public void Response_bytes_are_kept_exactly()
    {
        var stderr = new byte[70_000];
        new Random(3).NextBytes(stderr);
        var response = ShimResponse.Completed(101, [0, 1, 2, 255], stderr);

        var decoded = ShimSide.DecodeResponse(ShimSide.ReadFrame(new MemoryStream(ShimProtocol.EncodeResponse(response))));

        Assert.False(decoded.RunLocally);
        Assert.Equal(101, decoded.ExitCode);
        Assert.Equal(response.Stdout, decoded.Stdout);
        Assert.Equal(stderr, decoded.Stderr);
        Assert.True(ShimSide.DecodeResponse(ShimSide.ReadFrame(new MemoryStream(ShimProtocol.EncodeResponse(ShimResponse.Local)))).RunLocally);
    }

    [Fact]
    public void Early_stderr_frames_come_before_the_response_on_the_same_stream()
    {
        var stream = new MemoryStream([
            .. ShimProtocol.EncodeEarlyStderr("{\"$message_type\":\"artifact\"}\n"u8.ToArray()),
            .. ShimProtocol.EncodeResponse(ShimResponse.Completed(0, [], "done"u8.ToArray()))]);

        Assert.Equal("{\"$message_type\":\"artifact\"}\n"u8.ToArray(), ShimSide.DecodeEarlyStderr(ShimSide.ReadFrame(stream)));
        Assert.Equal("done"u8.ToArray(), ShimSide.DecodeResponse(ShimSide.ReadFrame(stream)).Stderr);
    }

    [Fact]
    public void A_peer_that_speaks_something_else_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => ShimSide.ReadFrame(new MemoryStream("GET / HTTP/1.1\r\n"u8.ToArray())));

        Assert.Contains("shim protocol", error.Message);
    }
}
