using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Protocol.Cas;

/// <summary>
/// The on-disk layout of a DistBuild scheduler's CAS (`DATA/cas/HH/HASH`, HH = the hash's first two digits). The
/// scheduler writes it; a client on the same machine (the embedded default) copies blobs out of it instead of
/// downloading them through gRPC, which on one machine only moves the same bytes through two more processes.
/// </summary>
public sealed class LocalCasDirectory(string root)
{
    public string Root { get; } = root;

    /// <summary>The CAS directory of a scheduler with the given Scheduler:DataDirectory.</summary>
    public static string InDataDirectory(string dataDirectory) => Path.Combine(dataDirectory, "cas");

    public static string BlobPath(string root, string hash) => Path.Combine(root, hash[..2], hash);

    /// <summary>
    /// Copies a blob to <paramref name="path"/> (a temporary name, then moved into place) and checks the copy against
    /// its digest. False when the blob is not there (evicted, another server's layout) or differs from its digest: the
    /// caller then downloads it, and the scheduler, which verifies what it serves, finds and drops a corrupted file.
    /// </summary>
    public bool TryCopy(Digest digest, string path, bool isExecutable)
    {
        var source = BlobPath(Root, digest.Hash);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".distbuild-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            // File.Copy lets the kernel copy (copy_file_range, a reflink where the file system has them).
            File.Copy(source, temporary);
            var copied = Digests.Digests.ComputeFile(temporary);
            if (copied.Hash != digest.Hash || copied.SizeBytes != digest.SizeBytes)
                return false;
            // File.Copy keeps the blob's modification time, which can be older than the build: cargo would then
            // find the output older than its fingerprint and compile the crate again on the next build.
            File.SetLastWriteTimeUtc(temporary, DateTime.UtcNow);
            if (isExecutable && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(temporary) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
