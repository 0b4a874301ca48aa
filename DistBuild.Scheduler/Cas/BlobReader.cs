using System.Security.Cryptography;
using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Scheduler.Cas;

/// <summary>
/// Reads a whole blob from disk, hashing it on the way, so a reader can send its first bytes before the last are
/// read: a 64 MiB blob is read once rather than hashed in full and then read again. <see cref="Matches"/>, after the
/// last byte, says whether the content was the digest's; a blob that was not is deleted from the store by then, so
/// the reader fails the request instead of completing it and nobody is served the same bad bytes again.
/// </summary>
public sealed class BlobReader : IAsyncDisposable
{
    private readonly ContentStore _store;
    private readonly FileStream _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;

    internal BlobReader(ContentStore store, Digest digest, FileStream file)
    {
        _store = store;
        Digest = digest;
        _file = file;
    }

    public Digest Digest { get; }

    /// <summary>Fills <paramref name="buffer"/> with the next bytes; 0 at the end of the file.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await _file.ReadAsync(buffer, cancellationToken);
        _hash.AppendData(buffer.Span[..read]);
        _read += read;
        return read;
    }

    /// <summary>After the last byte: true when the bytes read were exactly the digest's; false deletes the blob.</summary>
    public bool Matches()
    {
        var matches = _read == Digest.SizeBytes && Convert.ToHexStringLower(_hash.GetHashAndReset()) == Digest.Hash;
        if (!matches)
            _store.DeleteCorrupted(Digest);
        return matches;
    }

    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync();
        _hash.Dispose();
    }
}
