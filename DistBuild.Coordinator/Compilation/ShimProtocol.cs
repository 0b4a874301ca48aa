using System.Buffers.Binary;
using System.Text;

namespace DistBuild.Coordinator.Compilation;

/// <summary>One rustc call as cargo made it to the shim: which rustc, its arguments, where and with what environment.</summary>
/// <param name="StdinIsNull">
/// The shim's standard input is the null device (cargo runs its probes so): a query that reads stdin reads nothing, so
/// it can be answered here. Otherwise only the shim has that input, and such a query runs there.
/// </param>
public sealed record ShimRequest(
    string RustcPath,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    bool StdinIsNull = false);

/// <summary>The coordinator's answer: either "run rustc yourself" or rustc's result to replay.</summary>
public sealed record ShimResponse(bool RunLocally, int ExitCode, byte[] Stdout, byte[] Stderr)
{
    public static ShimResponse Local { get; } = new(true, 0, [], []);

    public static ShimResponse Completed(int exitCode, byte[] stdout, byte[] stderr) => new(false, exitCode, stdout, stderr);
}

/// <summary>
/// The wire format between the rustc shim and the coordinator over a Unix domain socket: one request frame; then any
/// number of early-stderr frames, whose bytes the shim writes to its stderr at once (rustc's metadata notification of a
/// compile still running, which cargo pipelines on), and one response frame. A frame is "DBRS", a version byte, a
/// big-endian 32-bit payload length and the payload written with <see cref="BinaryWriter"/> (7-bit-length-prefixed
/// UTF-8 strings, little-endian int32 counts, one-byte flags); a frame the coordinator sends starts with its kind byte.
/// This is the coordinator's half (reading requests, writing the rest); the shim is written in Rust and has the other
/// half in DistBuild.RustcShim/src/protocol.rs: a change here is a change there, with a new version byte.
/// </summary>
public static class ShimProtocol
{
    public const string CoordinatorVariable = "DISTBUILD_COORDINATOR";
    private const byte Version = 3;
    private const byte ResponseKind = 0;
    private const byte EarlyStderrKind = 1;
    private const int HeaderLength = 9;
    private const int MaxPayloadLength = 512 << 20;
    private static ReadOnlySpan<byte> Magic => "DBRS"u8;

    public static byte[] EncodeResponse(ShimResponse response) => Frame(writer =>
    {
        writer.Write(ResponseKind);
        writer.Write(response.RunLocally);
        writer.Write(response.ExitCode);
        writer.Write(response.Stdout.Length);
        writer.Write(response.Stdout);
        writer.Write(response.Stderr.Length);
        writer.Write(response.Stderr);
    });

    public static byte[] EncodeEarlyStderr(byte[] stderr) => Frame(writer =>
    {
        writer.Write(EarlyStderrKind);
        writer.Write(stderr.Length);
        writer.Write(stderr);
    });

    public static ShimRequest DecodeRequest(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        var rustc = reader.ReadString();
        var arguments = new string[ReadCount(reader)];
        for (var i = 0; i < arguments.Length; i++)
            arguments[i] = reader.ReadString();
        var workingDirectory = reader.ReadString();
        var count = ReadCount(reader);
        var environment = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            environment[name] = reader.ReadString();
        }
        var stdinIsNull = reader.ReadBoolean();
        return new ShimRequest(rustc, arguments, workingDirectory, environment, stdinIsNull);
    }

    /// <summary>Reads one frame's payload; throws <see cref="InvalidDataException"/> when the peer is not speaking this protocol.</summary>
    public static async Task<byte[]> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        await stream.ReadExactlyAsync(header, cancellationToken);
        var payload = new byte[CheckHeader(header)];
        await stream.ReadExactlyAsync(payload, cancellationToken);
        return payload;
    }

    private static int CheckHeader(byte[] header)
    {
        if (!header.AsSpan(0, 4).SequenceEqual(Magic))
            throw new InvalidDataException("the peer does not speak the DistBuild shim protocol");
        if (header[4] != Version)
            throw new InvalidDataException($"shim protocol version {header[4]} is not supported (expected {Version}): the shim and the coordinator come from different DistBuild versions");
        var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5));
        if (length is < 0 or > MaxPayloadLength)
            throw new InvalidDataException($"shim protocol frame of {length} bytes is out of range");
        return length;
    }

    private static int ReadCount(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"shim protocol count {count} is out of range");
        return count;
    }

    private static byte[] Frame(Action<BinaryWriter> writePayload)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Magic);
        buffer.WriteByte(Version);
        buffer.Write(stackalloc byte[4]);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            writePayload(writer);
        var frame = buffer.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), frame.Length - HeaderLength);
        return frame;
    }
}
