using System.Collections.Concurrent;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;

namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// Digests of files on disk for the length of a build, keyed by path and checked against size and modification
/// time, so each source and artifact is hashed once even though many compiles list it as an input. Outputs this
/// build wrote also carry their digest on disk (<see cref="ContentStamp"/>), so the next build, a new process, need
/// not hash them again either: after an edit, the dependencies' rlibs a rebuilt crate and its binary read.
/// </summary>
public sealed class FileDigestCache
{
    /// <summary>
    /// Smaller files are hashed without looking for a stamp: that costs about as much as the lookup, and most of them
    /// are sources, which carry none (2,700 lookups were 10 ms of a warm build of the realistic sample).
    /// </summary>
    public const long StampedSizeFloor = 64 << 10;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The digest of a file and whether it is executable; hashes it only when it changed since last seen.</summary>
    public (Digest Digest, bool IsExecutable) Get(string path)
    {
        var info = new FileInfo(path);
        if (_entries.TryGetValue(path, out var entry) && entry.Size == info.Length && entry.Modified == info.LastWriteTimeUtc)
            return (entry.Digest, entry.IsExecutable);
        var digest = (info.Length >= StampedSizeFloor ? ContentStamp.Read(path) : null) ?? Digests.ComputeFile(path);
        var executable = IsExecutable(path);
        // Stat again after hashing: if the file changed meanwhile, the next caller hashes it again.
        info.Refresh();
        _entries[path] = new Entry(info.Length, info.LastWriteTimeUtc, digest, executable);
        return (digest, executable);
    }

    /// <summary>
    /// Remembers the digest of a file this build just wrote and checked (a downloaded output), so it is not hashed
    /// again, in this build or the next.
    /// </summary>
    public void Seed(string path, Digest digest)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != digest.SizeBytes)
            return;
        ContentStamp.Stamp(path, digest);
        _entries[path] = new Entry(info.Length, info.LastWriteTimeUtc, digest, IsExecutable(path));
    }

    private static bool IsExecutable(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0;

    private sealed record Entry(long Size, DateTime Modified, Digest Digest, bool IsExecutable);
}
