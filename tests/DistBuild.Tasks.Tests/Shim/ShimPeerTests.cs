using System.Net.Sockets;
using DistBuild.Coordinator.Compilation;
using DistBuild.Testing;

namespace DistBuild.Tasks.Tests.Shim;

/// <summary>
/// The built shim (Rust) against a peer on its socket that the test plays with the coordinator's own ShimProtocol: what
/// the shim sends, what it does with each answer, and how it copes when there is no proper answer.
/// </summary>
public class ShimPeerTests
{
    private readonly string _directory = TemporaryDirectory.Create("shim-peer");

    /// <summary>Accepts one connection, hands what arrived to <paramref name="answer"/> and writes back what it returns.</summary>
    /// <param name="stdinFromNullDevice">Start the shim with /dev/null as its stdin, as cargo starts its probes; else a pipe.</param>
    private async Task<(RustTools.Result Shim, byte[] Received)> RunAgainstPeerAsync(IEnumerable<string> shimArguments, Func<byte[], byte[]> answer,
        IDictionary<string, string?>? environment = null, bool stdinFromNullDevice = false)
    {
        var socketPath = Path.Combine(_directory, "peer.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen();
        var peer = Task.Run(async () =>
        {
            using var connection = await listener.AcceptAsync();
            await using var stream = new NetworkStream(connection, ownsSocket: false);
            var received = await ShimProtocol.ReadFrameAsync(stream, CancellationToken.None);
            await stream.WriteAsync(answer(received));
            return received;
        });
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { [ShimProtocol.CoordinatorVariable] = socketPath };
        var shim = stdinFromNullDevice
            ? await RustTools.RunAsync("/bin/sh", ["-c", "exec \"$0\" \"$@\" < /dev/null", RustTools.Shim, .. shimArguments], _directory, variables)
            : await RustTools.RunAsync(RustTools.Shim, shimArguments, _directory, variables);
        return (shim, await peer.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task It_says_whether_its_stdin_is_the_null_device(bool stdinFromNullDevice)
    {
        var (shim, received) = await RunAgainstPeerAsync(["/opt/rust/bin/rustc", "-", "--print=sysroot"],
            _ => ShimProtocol.EncodeResponse(ShimResponse.Completed(0, [], [])), stdinFromNullDevice: stdinFromNullDevice);

        Assert.True(shim.ExitCode == 0, shim.ToString());
        Assert.Equal(stdinFromNullDevice, ShimProtocol.DecodeRequest(received).StdinIsNull);
    }

    [Fact]
    public async Task The_call_arrives_whole_and_the_answer_is_replayed_with_its_exit_code()
    {
        var stdout = "{\"reason\":\"compiler-artifact\",\"name\":\"café\"}\n";
        // Larger than a pipe's buffer, so the shim must keep writing while cargo reads.
        var stderr = string.Concat(Enumerable.Repeat("warning: unused variable ✓\n", 5000));

        var (shim, received) = await RunAgainstPeerAsync(
            ["/opt/rust/bin/rustc", "--crate-name", "café", "", "src/lib.rs"],
            _ => ShimProtocol.EncodeResponse(ShimResponse.Completed(3, System.Text.Encoding.UTF8.GetBytes(stdout), System.Text.Encoding.UTF8.GetBytes(stderr))),
            new Dictionary<string, string?> { ["DISTBUILD_TEST_MARK"] = "ünïcode ✓", ["DISTBUILD_TEST_EMPTY"] = "" });

        Assert.Equal((3, stdout, stderr), (shim.ExitCode, shim.Stdout, shim.Stderr));
        var request = ShimProtocol.DecodeRequest(received);
        Assert.Equal("/opt/rust/bin/rustc", request.RustcPath);
        Assert.Equal(["--crate-name", "café", "", "src/lib.rs"], request.Arguments);
        Assert.Equal(Path.GetFullPath(_directory), request.WorkingDirectory);
        Assert.Equal("ünïcode ✓", request.Environment["DISTBUILD_TEST_MARK"]);
        Assert.Equal("", request.Environment["DISTBUILD_TEST_EMPTY"]);
    }

    [Fact]
    public async Task A_peer_that_hangs_up_without_an_answer_makes_it_warn_and_run_rustc_itself()
    {
        var (shim, _) = await RunAgainstPeerAsync([RustTools.Rustc, "-vV"], _ => []);

        Assert.True(shim.ExitCode == 0, shim.ToString());
        Assert.Contains("release:", shim.Stdout);
        Assert.Contains("warning: distbuild: lost the coordinator at", shim.Stderr);
        Assert.Contains("compiling locally", shim.Stderr);
    }

    [Fact]
    public async Task A_peer_that_speaks_another_protocol_is_not_believed()
    {
        var (shim, _) = await RunAgainstPeerAsync([RustTools.Rustc, "-vV"], _ => "HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray());

        Assert.True(shim.ExitCode == 0, shim.ToString());
        Assert.Contains("release:", shim.Stdout);
        Assert.Contains("does not speak the DistBuild shim protocol", shim.Stderr);
    }

    [Fact]
    public async Task Without_arguments_it_prints_its_usage_and_a_missing_rustc_is_an_error_not_a_crash()
    {
        var usage = await RustTools.RunAsync(RustTools.Shim, [], _directory);
        var missing = await RustTools.RunAsync(RustTools.Shim, [Path.Combine(_directory, "no-such-rustc"), "-vV"], _directory,
            new Dictionary<string, string?> { [ShimProtocol.CoordinatorVariable] = null });

        Assert.Equal(2, usage.ExitCode);
        Assert.StartsWith("usage: distbuild-rustc-shim RUSTC", usage.Stderr);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith($"error: distbuild: could not run {Path.Combine(_directory, "no-such-rustc")}:", missing.Stderr);
    }
}
