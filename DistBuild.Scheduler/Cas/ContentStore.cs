using System.Security.Cryptography;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using Microsoft.Extensions.Logging;

namespace DistBuild.Scheduler.Cas;

/// <summary>
/// The content-addressable store on disk: one file per blob under `cas/HH/HASH` (HH = the hash's first two
/// digits), written to `cas/tmp` and renamed into place, so a reader never sees half a blob. Every write is
/// verified against its digest and every read against the content, so a blob corrupted on disk is deleted
/// rather than served. Total size is capped; the least recently used blobs are evicted first.
/// </summary>
public sealed class ContentStore
{
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(30);
    private readonly string _root;
    private readonly string _temporary;
    private readonly long _maxBytes;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    // Least recently used first; the dictionary finds a blob's node by hash.
    private readonly LinkedList<Entry> _recency = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private long _totalBytes;

    public ContentStore(string directory, long maxBytes, long maxBlobBytes, ILogger<ContentStore> logger, TimeProvider? time = null)
    {
        _root = directory;
        _temporary = Path.Combine(directory, "tmp");
        _maxBytes = maxBytes;
        MaxBlobBytes = Math.Min(maxBlobBytes, maxBytes);
        _logger = logger;
        _time = time ?? TimeProvider.System;
        System.IO.Directory.CreateDirectory(_root);
        if (System.IO.Directory.Exists(_temporary))
            System.IO.Directory.Delete(_temporary, recursive: true);
        System.IO.Directory.CreateDirectory(_temporary);
        LoadIndex();
    }

    public long MaxBlobBytes { get; }

    public long TotalBytes
    {
        get
        {
            lock (_gate)
                return _totalBytes;
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
                return _entries.Count;
        }
    }

    /// <summary>
    /// True when the blob is stored (the empty blob always is); counts as a use for eviction. A blob a worker or
    /// client on this machine put into the directory itself (<see cref="LocalCasDirectory.TryPut"/>) joins the index
    /// here, on its first lookup; like every blob, its content is verified whenever it is read.
    /// </summary>
    public bool Contains(Digest digest)
    {
        if (digest.SizeBytes == 0)
            return digest.Hash == Digests.Empty.Hash;
        bool indexed;
        lock (_gate)
        {
            indexed = _entries.TryGetValue(digest.Hash, out var node);
            if (indexed && node!.Value.Size != digest.SizeBytes)
                return false;
        }
        if (!indexed)
            return TryAdoptPlaced(digest);
        // The index can outlive a file someone deleted or truncated by hand; the file is the truth. Checked outside
        // the lock. The size is free to check here; the content is checked on every read.
        var file = new FileInfo(PathOf(digest.Hash));
        var exists = file.Exists && file.Length == digest.SizeBytes;
        lock (_gate)
        {
            if (!_entries.TryGetValue(digest.Hash, out var node))
                return false;
            if (!exists)
            {
                RemoveLocked(node);
                return false;
            }
            TouchLocked(node);
            return true;
        }
    }

    public List<Digest> FindMissing(IEnumerable<Digest> digests) => digests.Where(d => !Contains(d)).ToList();

    /// <summary>The blob's bytes, verified against its digest; null when it is missing or was corrupted (and so deleted).</summary>
    public byte[]? TryRead(Digest digest)
    {
        if (digest.SizeBytes == 0)
            return digest.Hash == Digests.Empty.Hash ? [] : null;
        if (!Contains(digest))
            return null;
        byte[] data;
        try
        {
            data = File.ReadAllBytes(PathOf(digest.Hash));
        }
        catch (IOException)
        {
            return null;
        }
        if (data.Length != digest.SizeBytes || Convert.ToHexStringLower(SHA256.HashData(data)) != digest.Hash)
        {
            DeleteCorrupted(digest);
            return null;
        }
        return data;
    }

    /// <summary>
    /// A stream over the blob after its whole content was verified; null when it is missing or corrupted.
    /// Large blobs are hashed from disk rather than held in memory.
    /// </summary>
    public Stream? OpenRead(Digest digest)
    {
        if (digest.SizeBytes == 0)
            return digest.Hash == Digests.Empty.Hash ? new MemoryStream([], writable: false) : null;
        if (OpenFile(digest) is not { } stream)
            return null;
        var actual = Digests.Compute(stream);
        if (actual.Hash != digest.Hash || actual.SizeBytes != digest.SizeBytes)
        {
            stream.Dispose();
            DeleteCorrupted(digest);
            return null;
        }
        stream.Position = 0;
        return stream;
    }

    /// <summary>
    /// A reader of the whole blob that verifies it as it goes (<see cref="BlobReader.Matches"/> at the end), for a
    /// reader that streams it; null when it is missing. Not for the empty blob, which has no file.
    /// </summary>
    public BlobReader? OpenHashingRead(Digest digest) =>
        digest.SizeBytes > 0 && OpenFile(digest) is { } file ? new BlobReader(this, digest, file) : null;

    private FileStream? OpenFile(Digest digest)
    {
        if (!Contains(digest))
            return null;
        try
        {
            return new FileStream(PathOf(digest.Hash), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Stores a blob after checking it against its digest; throws <see cref="BlobRejectedException"/> when it does not match.</summary>
    public void Write(Digest digest, ReadOnlySpan<byte> data)
    {
        using var upload = BeginUpload(digest);
        upload.Append(data);
        upload.Commit();
    }

    /// <summary>Starts a streamed write; the blob appears only when <see cref="BlobUpload.Commit"/> verifies it.</summary>
    public BlobUpload BeginUpload(Digest digest)
    {
        if (digest.SizeBytes > MaxBlobBytes)
            throw new BlobRejectedException($"blob {Digests.Format(digest)} is {digest.SizeBytes} bytes; this store accepts at most {MaxBlobBytes} (Scheduler:MaxBlobBytes, Scheduler:CasMaxBytes)");
        return new BlobUpload(this, digest, Path.Combine(_temporary, Guid.NewGuid().ToString("N")));
    }

    internal void CommitFile(Digest digest, string temporaryPath)
    {
        if (digest.SizeBytes == 0)
        {
            File.Delete(temporaryPath);
            return;
        }
        var path = PathOf(digest.Hash);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Move(temporaryPath, path, overwrite: true);
        lock (_gate)
        {
            if (_entries.TryGetValue(digest.Hash, out var existing))
            {
                TouchLocked(existing);
                return;
            }
            AddLocked(digest);
        }
    }

    private bool TryAdoptPlaced(Digest digest)
    {
        if (!Digests.TryValidate(digest, out _))
            return false;
        var file = new FileInfo(PathOf(digest.Hash));
        if (!file.Exists || file.Length != digest.SizeBytes)
            return false;
        lock (_gate)
        {
            if (_entries.TryGetValue(digest.Hash, out var existing))
            {
                TouchLocked(existing);
                return existing.Value.Size == digest.SizeBytes;
            }
            AddLocked(digest);
        }
        return true;
    }

    private void AddLocked(Digest digest)
    {
        var node = _recency.AddLast(new Entry(digest.Hash, digest.SizeBytes) { Touched = _time.GetUtcNow() });
        _entries.Add(digest.Hash, node);
        _totalBytes += digest.SizeBytes;
        EvictLocked(node);
    }

    private void EvictLocked(LinkedListNode<Entry> keep)
    {
        while (_totalBytes > _maxBytes && _recency.First is { } oldest && oldest != keep)
        {
            _logger.LogDebug("Evicting blob {Hash} ({Size} bytes) to stay under {MaxBytes} bytes", oldest.Value.Hash, oldest.Value.Size, _maxBytes);
            TryDelete(PathOf(oldest.Value.Hash));
            RemoveLocked(oldest);
        }
    }

    internal void DeleteCorrupted(Digest digest)
    {
        _logger.LogWarning("Blob {Digest} no longer matches its digest on disk; deleting it", Digests.Format(digest));
        lock (_gate)
        {
            if (_entries.TryGetValue(digest.Hash, out var node))
                RemoveLocked(node);
            TryDelete(PathOf(digest.Hash));
        }
    }

    private void TouchLocked(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _recency.AddLast(node);
        // The file's access time carries recency across restarts; refreshing it now and then is enough. Not its
        // modification time: that is part of the content stamp a blob from a worker carries (ContentStamp), and moving
        // it would make every later copy of the blob out of this directory hash it again.
        var now = _time.GetUtcNow();
        if (now - node.Value.Touched < TouchInterval)
            return;
        node.Value.Touched = now;
        try
        {
            File.SetLastAccessTimeUtc(PathOf(node.Value.Hash), now.UtcDateTime);
        }
        catch (IOException)
        {
        }
    }

    private void RemoveLocked(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Hash);
        _totalBytes -= node.Value.Size;
    }

    private void LoadIndex()
    {
        var files = new List<FileInfo>();
        foreach (var shard in new DirectoryInfo(_root).EnumerateDirectories())
        {
            if (shard.Name.Length != 2)
                continue;
            foreach (var file in shard.EnumerateFiles())
            {
                if (file.Name.Length == Digests.HashLength && file.Name.StartsWith(shard.Name, StringComparison.Ordinal))
                    files.Add(file);
                else if (file.Name.Contains(LocalCasDirectory.TemporaryMarker, StringComparison.Ordinal))
                    TryDelete(file.FullName); // half-put by a same-machine writer that stopped; it uploads again
            }
        }
        foreach (var file in files.OrderBy(f => f.LastAccessTimeUtc))
        {
            var node = _recency.AddLast(new Entry(file.Name, file.Length) { Touched = file.LastAccessTimeUtc });
            _entries[file.Name] = node;
            _totalBytes += file.Length;
        }
        if (_recency.Last is { } newest)
            EvictLocked(newest);
        _logger.LogInformation("CAS at {Directory} holds {Count} blobs, {Bytes} bytes (cap {MaxBytes})", _root, _entries.Count, _totalBytes, _maxBytes);
    }

    private string PathOf(string hash) => LocalCasDirectory.BlobPath(_root, hash);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private sealed record Entry(string Hash, long Size)
    {
        public DateTimeOffset Touched { get; set; }
    }
}
