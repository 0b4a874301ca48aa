using System.Security.Cryptography;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;

namespace DistBuild.Scheduler.Cas;

/// <summary>A blob being written in pieces to a temporary file, hashed as it arrives and stored only once verified.</summary>
public sealed class BlobUpload : IDisposable
{
    private readonly ContentStore _store;
    private readonly string _temporaryPath;
    private readonly FileStream _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _committed;

    internal BlobUpload(ContentStore store, Digest digest, string temporaryPath)
    {
        _store = store;
        Digest = digest;
        _temporaryPath = temporaryPath;
        _file = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public Digest Digest { get; }

    /// <summary>Bytes received so far.</summary>
    public long CommittedSize { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (CommittedSize + data.Length > Digest.SizeBytes)
            throw new BlobRejectedException($"blob {Digests.Format(Digest)} received more than its {Digest.SizeBytes} bytes");
        _file.Write(data);
        _hash.AppendData(data);
        CommittedSize += data.Length;
    }

    /// <summary>Verifies the content against the digest and moves it into the store.</summary>
    public void Commit()
    {
        _file.Flush();
        _file.Dispose();
        var hash = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (CommittedSize != Digest.SizeBytes || hash != Digest.Hash)
            throw new BlobRejectedException(
                $"blob content does not match its digest: declared {Digests.Format(Digest)}, received {hash}/{CommittedSize}; nothing was stored");
        _store.CommitFile(Digest, _temporaryPath);
        _committed = true;
    }

    public void Dispose()
    {
        _file.Dispose();
        _hash.Dispose();
        if (!_committed)
        {
            try
            {
                File.Delete(_temporaryPath);
            }
            catch (IOException)
            {
            }
        }
    }
}
