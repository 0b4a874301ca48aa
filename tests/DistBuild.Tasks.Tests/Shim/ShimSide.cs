using System.Buffers.Binary;
using System.Text;
using DistBuild.Coordinator.Compilation;

namespace DistBuild.Tasks.Tests.Shim;

/// <summary>
/// The shim's half of the wire format, written here independently of the Rust shim (DistBuild.RustcShim/src/protocol.rs),
/// so the coordinator's half can be tested against a second encoder: requests written, responses read.
/// </summary>
internal static class ShimSide
{
    public static byte[] EncodeRequest(ShimRequest request)
    {
        using var buffer = new MemoryStream();
        buffer.Write("DBRS\u0003"u8);
        buffer.Write(stackalloc byte[4]);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(request.RustcPath);
            writer.Write(request.Arguments.Count);
            foreach (var argument in request.Arguments)
                writer.Write(argument);
            writer.Write(request.WorkingDirectory);
            writer.Write(request.Environment.Count);
            foreach (var (name, value) in request.Environment)
            {
                writer.Write(name);
                writer.Write(value);
            }
            writer.Write(request.StdinIsNull);
        }
        var frame = buffer.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), frame.Length - 9);
        return frame;
    }

    public static ShimResponse DecodeResponse(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        if (reader.ReadByte() != 0)
            throw new InvalidDataException("not a response frame");
        var runLocally = reader.ReadBoolean();
        var exitCode = reader.ReadInt32();
        var stdout = reader.ReadBytes(reader.ReadInt32());
        var stderr = reader.ReadBytes(reader.ReadInt32());
        return new ShimResponse(runLocally, exitCode, stdout, stderr);
    }

    /// <summary>The bytes of an early-stderr frame.</summary>
    public static byte[] DecodeEarlyStderr(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        if (reader.ReadByte() != 1)
            throw new InvalidDataException("not an early-stderr frame");
        return reader.ReadBytes(reader.ReadInt32());
    }

    /// <summary>One frame's payload, read with the coordinator's own frame reader.</summary>
    public static byte[] ReadFrame(Stream stream) => ShimProtocol.ReadFrameAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
}
