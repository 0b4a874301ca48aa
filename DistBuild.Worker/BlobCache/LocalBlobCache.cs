using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace DistBuild.Worker.BlobCache;

/// <summary>
/// Blobs kept on the worker's disk between jobs, named by digest, so a crate's dependencies are fetched once.
/// Blobs are verified against their digest when they arrive; job sandboxes hard-link to them, which also makes
/// trimming safe while a job runs (deleting the cache's name leaves the job's link intact).
/// </summary>
public sealed class LocalBlobCache
{
    private const string ExecutableSuffix = ".x";
    private const UnixFileMode ExecutableMode = (UnixFileMode)0b111_101_101;
    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _totalBytes;

    public LocalBlobCache(string directory, long maxBytes, TimeProvider time, ILogger<LocalBlobCache> logger)
    {
        _directory = directory;
        _maxBytes = maxBytes;
        _time = time;
        _logger = logger;
        System.IO.Directory.CreateDirectory(directory);
        LoadExisting();
    }

    public long TotalBytes
    {
        get
        {
            lock (_lock)
                return _totalBytes;
        }
    }

    public bool Contains(Digest digest)
    {
        lock (_lock)
            return _entries.ContainsKey(digest.Key());
    }

    /// <summary>Makes sure every blob is in the cache, downloading the ones that are not.</summary>
    public async Task EnsureAsync(ICasStore store, IEnumerable<Digest> digests, CancellationToken cancellationToken)
    {
        var wanted = digests.DistinctBy(d => d.Key()).ToList();
        List<Digest> absent;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            absent = [];
            foreach (var digest in wanted)
            {
                if (_entries.TryGetValue(digest.Key(), out var entry) && File.Exists(entry.Path))
                    entry.LastUsed = now;
                else
                    absent.Add(digest);
            }
        }
        if (absent.Count == 0)
            return;
        var downloads = absent.Select(d => new FileDownload(d, PathFor(d), IsExecutable: false)).ToList();
        try
        {
            await store.DownloadAsync(downloads, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            var missing = await store.FindMissingAsync(absent, cancellationToken);
            throw new MissingBlobsException(missing.Count > 0 ? missing : absent);
        }
        lock (_lock)
        {
            foreach (var digest in absent)
                Add(digest.Key(), PathFor(digest), digest.SizeBytes);
        }
    }

    /// <summary>
    /// Keeps a file a job produced as the cached blob of its digest, by hard link (no copy): dependent jobs usually
    /// run on the same worker and need this output as an input, which is then already here instead of coming back
    /// from the CAS it was just uploaded to. The executable bit belongs to the inode, so an executable output (a
    /// proc-macro library, which its dependents load) becomes the executable entry (`KEY.x`, see <see cref="PathOf"/>)
    /// and a plain one the plain entry; an executable with another mode than the executable entry's is left out, and
    /// so is a file the file system will not link. Neither is an error, and neither is an I/O failure here: the job's
    /// result is already in the CAS, and a blob missing here is simply fetched when needed.
    /// </summary>
    public void Adopt(Digest digest, string file)
    {
        try
        {
            var mode = File.GetUnixFileMode(file);
            var executable = (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
            if (executable ? mode != ExecutableMode || HasExecutable(digest) : Contains(digest))
                return;
            var key = executable ? ExecutableKey(digest) : digest.Key();
            var path = executable ? PathFor(digest) + ExecutableSuffix : PathFor(digest);
            var temporary = path + "." + Guid.NewGuid().ToString("N")[..8];
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!HardLinks.TryCreate(file, temporary))
                return;
            File.Move(temporary, path, overwrite: true);
            lock (_lock)
                Add(key, path, digest.SizeBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temporary link left behind is removed with the other leftovers when the cache is next loaded.
            _logger.LogWarning("Could not keep output {File} in the blob cache: {Error}", file, e.Message);
        }
    }

    /// <summary>Whether the executable entry of a blob is here, so an executable input needs no plain blob.</summary>
    public bool HasExecutable(Digest digest)
    {
        lock (_lock)
            return _entries.TryGetValue(ExecutableKey(digest), out var entry) && File.Exists(entry.Path);
    }

    /// <summary>
    /// The cache file of a blob already ensured (or, for an executable use, whose executable entry is here). The
    /// executable bit belongs to the inode, so an executable use gets its own copy (`KEY.x`) that links can share.
    /// </summary>
    public string PathOf(Digest digest, bool executable)
    {
        var path = PathFor(digest);
        if (!executable)
            return path;
        var executablePath = path + ExecutableSuffix;
        lock (_lock)
        {
            if (_entries.TryGetValue(ExecutableKey(digest), out var entry) && File.Exists(entry.Path))
            {
                entry.LastUsed = _time.GetUtcNow();
                return executablePath;
            }
        }
        var temporary = executablePath + "." + Guid.NewGuid().ToString("N")[..8];
        File.Copy(path, temporary);
        File.SetUnixFileMode(temporary, ExecutableMode);
        File.Move(temporary, executablePath, overwrite: true);
        lock (_lock)
            Add(ExecutableKey(digest), executablePath, digest.SizeBytes);
        return executablePath;
    }

    /// <summary>The entry key of a blob's executable copy (its file is the plain entry's path plus the suffix).</summary>
    private static string ExecutableKey(Digest digest) => digest.Key() + ExecutableSuffix;

    /// <summary>Deletes the least recently used blobs until the cache fits its size limit.</summary>
    public void Trim()
    {
        List<Entry> evicted = [];
        lock (_lock)
        {
            if (_totalBytes <= _maxBytes)
                return;
            foreach (var (key, entry) in _entries.OrderBy(pair => pair.Value.LastUsed).ToList())
            {
                if (_totalBytes <= _maxBytes)
                    break;
                _entries.Remove(key);
                _totalBytes -= entry.Size;
                evicted.Add(entry);
            }
        }
        foreach (var entry in evicted)
        {
            try
            {
                File.Delete(entry.Path);
            }
            catch (IOException e)
            {
                _logger.LogWarning("Could not delete cached blob {Path}: {Error}", entry.Path, e.Message);
            }
        }
        _logger.LogInformation("Trimmed the blob cache: {Count} blob(s) deleted, {Bytes} bytes kept", evicted.Count, TotalBytes);
    }

    private string PathFor(Digest digest) => Path.Combine(_directory, digest.Hash[..2], digest.Key());

    private void Add(string key, string path, long size)
    {
        if (_entries.TryGetValue(key, out var existing))
        {
            existing.LastUsed = _time.GetUtcNow();
            return;
        }
        _entries[key] = new Entry(path, size) { LastUsed = _time.GetUtcNow() };
        _totalBytes += size;
    }

    private void LoadExisting()
    {
        foreach (var file in new DirectoryInfo(_directory).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            // Leftovers of interrupted downloads carry a random suffix after the key; they are not blobs.
            var name = file.Name;
            var key = name.EndsWith(ExecutableSuffix, StringComparison.Ordinal) ? name[..^ExecutableSuffix.Length] : name;
            var parts = key.Split('_');
            if (parts.Length != 2 || parts[0].Length != Protocol.Digests.Digests.HashLength || !long.TryParse(parts[1], out var size) || size != file.Length)
            {
                file.Delete();
                continue;
            }
            _entries[name] = new Entry(file.FullName, file.Length) { LastUsed = file.LastWriteTimeUtc };
            _totalBytes += file.Length;
        }
    }

    private sealed class Entry(string path, long size)
    {
        public string Path { get; } = path;
        public long Size { get; } = size;
        public DateTimeOffset LastUsed { get; set; }
    }
}
