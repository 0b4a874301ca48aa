using Build.Bazel.Remote.Execution.V2;
using Google.Protobuf;

namespace DistBuild.Protocol.Digests;

/// <summary>Where the bytes of a blob come from when it has to be uploaded: memory or a file on disk.</summary>
public sealed record BlobSource(Digest Digest, ByteString? Data, string? FilePath)
{
    public static BlobSource FromBytes(ByteString data) => new(Digests.Compute(data.Span), data, null);

    public static BlobSource FromMessage(IMessage message) => FromBytes(message.ToByteString());

    public static BlobSource FromFile(string path, Digest digest) => new(digest, null, path);

    public ByteString ReadAll() => Data ?? ByteString.CopyFrom(File.ReadAllBytes(FilePath!));

    public Stream OpenRead() =>
        Data is not null ? new MemoryStream(Data.ToByteArray(), writable: false) : File.OpenRead(FilePath!);
}
