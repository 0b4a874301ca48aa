using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Protocol.Cas;

/// <summary>
/// A note on a file, in an extended attribute of its inode, that its bytes were hashed: the digest with the size and
/// modification time the file had then. While both are unchanged the file still holds that digest (the rule
/// FileDigestCache applies by path within one process, carried by the inode to every hard link and process): a job's
/// output is hashed once by the worker, and its links into the CAS and out of it into blob caches need no hashing
/// again. Anything that rewrites a file moves its modification time, and a moved time means hashing as before, as
/// does a file system without user extended attributes.
/// </summary>
public static partial class ContentStamp
{
    private const string AttributeName = "user.distbuild.sha256";

    /// <summary>Hashes a file and stamps it with the digest, when it did not change while it was hashed.</summary>
    public static Digest HashAndStamp(string path)
    {
        var before = new FileInfo(path);
        var (size, modified) = (before.Length, before.LastWriteTimeUtc);
        var digest = Digests.Digests.ComputeFile(path);
        var after = new FileInfo(path);
        if (after.Length == size && after.LastWriteTimeUtc == modified && size == digest.SizeBytes)
            Write(path, digest.Hash, size, modified);
        return digest;
    }

    /// <summary>
    /// Stamps a file whose bytes its caller has just checked against <paramref name="digest"/> (a downloaded or
    /// copied output), with the size and modification time it has now.
    /// </summary>
    public static void Stamp(string path, Digest digest)
    {
        var file = new FileInfo(path);
        if (file.Exists && file.Length == digest.SizeBytes)
            Write(path, digest.Hash, file.Length, file.LastWriteTimeUtc);
    }

    /// <summary>The digest a file is stamped with, while it still has the size and modification time it was hashed with; otherwise null.</summary>
    public static Digest? Read(string path)
    {
        if (OperatingSystem.IsWindows())
            return null;
        var buffer = new byte[128];
        var length = GetAttribute(path, AttributeName, buffer, (nuint)buffer.Length);
        // -1: no such attribute, or a file system without them.
        if (length <= 0)
            return null;
        var file = new FileInfo(path);
        if (!file.Exists)
            return null;
        var stamp = Encoding.ASCII.GetString(buffer, 0, (int)length);
        var unchanged = Format("", file.Length, file.LastWriteTimeUtc);
        if (!stamp.EndsWith(unchanged, StringComparison.Ordinal))
            return null;
        var digest = new Digest { Hash = stamp[..^unchanged.Length], SizeBytes = file.Length };
        // A stamp is only ever written by this class, but an attribute anyone can set is checked for form.
        return Digests.Digests.TryValidate(digest, out _) ? digest : null;
    }

    /// <summary>Whether the file carries a stamp for <paramref name="digest"/> and still has the size and modification time it was hashed with.</summary>
    public static bool Proves(string path, Digest digest) =>
        Read(path) is { } stamped && stamped.Hash == digest.Hash && stamped.SizeBytes == digest.SizeBytes;

    private static void Write(string path, string hash, long size, DateTime modified)
    {
        if (OperatingSystem.IsWindows())
            return;
        var value = Encoding.ASCII.GetBytes(Format(hash, size, modified));
        // Best effort: without the stamp, readers hash the file.
        _ = SetAttribute(path, AttributeName, value, (nuint)value.Length, 0);
    }

    private static string Format(string hash, long size, DateTime modified) =>
        string.Create(CultureInfo.InvariantCulture, $"{hash} {size} {modified.Ticks}");

    [LibraryImport("libc", EntryPoint = "setxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetAttribute(string path, string name, byte[] value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "getxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint GetAttribute(string path, string name, byte[] value, nuint size);
}
