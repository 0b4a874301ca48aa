using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;

namespace DistBuild.Protocol.Cas;

/// <summary>
/// The on-disk layout of a DistBuild scheduler's CAS (`DATA/cas/HH/HASH`, HH = the hash's first two digits). The
/// scheduler writes it; a client or worker on the same machine (the embedded default) copies blobs out of it and
/// puts blobs into it instead of moving them through gRPC, which on one machine only carries the same bytes through
/// two more processes. The scheduler finds a blob put here on its next lookup and verifies every blob it serves.
/// </summary>
public sealed class LocalCasDirectory(string root)
{
    /// <summary>Marks the name a blob is written under before it is moved into place; leftovers are not blobs.</summary>
    public const string TemporaryMarker = ".distbuild-";

    private const UnixFileMode PlainMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode ExecutableMode = PlainMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public string Root { get; } = root;

    /// <summary>The CAS directory of a scheduler with the given Scheduler:DataDirectory.</summary>
    public static string InDataDirectory(string dataDirectory) => Path.Combine(dataDirectory, "cas");

    public static string BlobPath(string root, string hash) => Path.Combine(root, hash[..2], hash);

    /// <summary>
    /// Copies a blob to <paramref name="path"/> (a temporary name, then moved into place) and checks the copy against
    /// its digest, or only its size when the blob carries a <see cref="ContentStamp"/> that still holds. False when the blob is not there (evicted, another server's layout) or differs from its digest: the
    /// caller then downloads it, and the scheduler, which verifies what it serves, finds and drops a corrupted file.
    /// </summary>
    public bool TryCopy(Digest digest, string path, bool isExecutable)
    {
        var source = BlobPath(Root, digest.Hash);
        // A blob stamped by the worker that hashed it, and unchanged since, needs no hashing of its copy: the kernel's
        // copy is checked by its size.
        var proven = ContentStamp.Proves(source, digest);
        return Place(path, proven ? null : digest, temporary =>
        {
            // File.Copy lets the kernel copy (copy_file_range, a reflink where the file system has them).
            File.Copy(source, temporary);
            if (proven && new FileInfo(temporary).Length != digest.SizeBytes)
                return false;
            // File.Copy keeps the blob's modification time, which can be older than the build: cargo would then
            // find the output older than its fingerprint and compile the crate again on the next build.
            File.SetLastWriteTimeUtc(temporary, DateTime.UtcNow);
            // The blob's own mode is whatever its writer had (a linked executable keeps its bits); the copy gets its own.
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, isExecutable ? ExecutableMode : PlainMode);
            return true;
        });
    }

    /// <summary>
    /// Hard-links a blob to <paramref name="path"/> in a target directory instead of copying it, for an output nothing
    /// writes into (the caller knows which), when the blob was written at or after <paramref name="writtenSince"/>: by
    /// the compile that asks, whose output then needs no newer modification time for cargo. An older blob is copied,
    /// since touching it would move the time of every link it has, and cargo in another target directory would find
    /// its dependents stale. The blob's stamp or its hash must prove the digest, and its mode must be the one asked
    /// for, since the mode too belongs to the inode. False otherwise, or when the link fails: the caller then copies it.
    /// </summary>
    public bool TryLinkFresh(Digest digest, string path, bool isExecutable, DateTime writtenSince)
    {
        var source = BlobPath(Root, digest.Hash);
        var blob = new FileInfo(source);
        if (OperatingSystem.IsWindows() || !blob.Exists || blob.Length != digest.SizeBytes || blob.LastWriteTimeUtc < writtenSince
            || ((blob.UnixFileMode & UnixFileMode.UserExecute) != 0) != isExecutable)
            return false;
        var proven = ContentStamp.Proves(source, digest);
        return Place(path, proven ? null : digest, temporary => HardLinks.TryCreate(source, temporary));
    }

    /// <summary>
    /// Hard-links a blob to <paramref name="path"/> instead of copying it, for a worker's blob cache on the scheduler's
    /// file system, whose files nothing writes. The linked file is checked against the digest. False when the blob is
    /// not there, is executable (the mode belongs to the shared inode, and a cache entry is a plain file), cannot be
    /// linked (another file system) or differs from its digest: the caller then copies or downloads it.
    /// </summary>
    public bool TryLink(Digest digest, string path)
    {
        var source = BlobPath(Root, digest.Hash);
        return Place(path, digest, temporary =>
            (OperatingSystem.IsWindows() || (File.GetUnixFileMode(source) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
            && HardLinks.TryCreate(source, temporary));
    }

    /// <summary>
    /// Puts a blob into the directory under its digest, unless a file of its size is already there. A file's bytes
    /// are hard-linked when <paramref name="mayLink"/> (a job's output on a worker, which nothing writes to again;
    /// executables too, since a blob's file mode means nothing: <see cref="TryCopy"/> sets the mode it is asked for)
    /// and copied otherwise (a user's source, which an editor may rewrite in place); in-memory bytes are written. What
    /// was copied or written is checked against the digest before it gets its name, as the scheduler checks an upload.
    /// False when the blob could not be put (no permission, content that changed since it was hashed): the caller then
    /// uploads it through gRPC.
    /// </summary>
    public bool TryPut(BlobSource blob, bool mayLink)
    {
        var digest = blob.Digest;
        if (digest.SizeBytes == 0)
            return true;
        var path = BlobPath(Root, digest.Hash);
        if (new FileInfo(path) is { Exists: true } existing && existing.Length == digest.SizeBytes)
            return true;
        // A linked file is the very file its caller just hashed (a job's output), so it is not hashed again; bytes
        // written or copied are checked, since a source's digest may come from a cache and the file may have changed.
        if (blob.Data is null && mayLink && Place(path, null, temporary => HardLinks.TryCreate(blob.FilePath!, temporary)))
            return true;
        return Place(path, digest, temporary =>
        {
            if (blob.Data is { } data)
                File.WriteAllBytes(temporary, data.Span);
            else
                File.Copy(blob.FilePath!, temporary);
            return true;
        });
    }

    /// <summary>
    /// The one way a file gets a name here or beside a target: <paramref name="write"/> makes it under a temporary
    /// name, it is checked against <paramref name="digest"/> (unless null), then moved into place, so no reader sees
    /// half a file or wrong content. False when the write declines, fails with an I/O error, or the content differs.
    /// </summary>
    private static bool Place(string path, Digest? digest, Func<string, bool> write)
    {
        var temporary = TemporaryName(path);
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!write(temporary) || (digest is not null && !Holds(temporary, digest)))
                return false;
            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            DeleteTemporary(temporary);
        }
    }

    private static bool Holds(string file, Digest digest)
    {
        if (ContentStamp.Proves(file, digest))
            return true;
        // Stamped as it is checked: the next reader of this inode (a worker linking a source blob into its cache)
        // is then spared hashing it again.
        var actual = ContentStamp.HashAndStamp(file);
        return actual.Hash == digest.Hash && actual.SizeBytes == digest.SizeBytes;
    }

    private static void DeleteTemporary(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Its directory could not be created, so neither could it.
        }
    }

    private static string TemporaryName(string path) => path + TemporaryMarker + Guid.NewGuid().ToString("N")[..8];
}
