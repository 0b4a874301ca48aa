using System.Buffers.Binary;
using System.Runtime.InteropServices;
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
    private const int HashLength = 32;

    // The SHA-256 in binary, then the size and the modification time in ticks, little-endian: 48 bytes, which ext4
    // keeps inside a 256-byte inode. The text form before it (about 90 bytes) did not fit, and every stamped file, each
    // output and each source copied into the CAS, got a 4 KiB attribute block of its own.
    private const int StampLength = HashLength + 8 + 8;

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
        var stamp = new byte[StampLength];
        var length = GetAttribute(path, AttributeName, stamp, (nuint)stamp.Length);
        // -1: no such attribute, a file system without them, or a longer value (an older stamp format): not a stamp.
        if (length != StampLength)
            return null;
        var file = new FileInfo(path);
        if (!file.Exists)
            return null;
        var span = stamp.AsSpan();
        var size = BinaryPrimitives.ReadInt64LittleEndian(span[HashLength..]);
        var modified = BinaryPrimitives.ReadInt64LittleEndian(span[(HashLength + 8)..]);
        if (size != file.Length || modified != file.LastWriteTimeUtc.Ticks)
            return null;
        return new Digest { Hash = Convert.ToHexStringLower(span[..HashLength]), SizeBytes = size };
    }

    /// <summary>Whether the file carries a stamp for <paramref name="digest"/> and still has the size and modification time it was hashed with.</summary>
    public static bool Proves(string path, Digest digest) =>
        Read(path) is { } stamped && stamped.Hash == digest.Hash && stamped.SizeBytes == digest.SizeBytes;

    private static void Write(string path, string hash, long size, DateTime modified)
    {
        if (OperatingSystem.IsWindows())
            return;
        var stamp = new byte[StampLength];
        // A digest checked by the caller is 64 hex digits; anything else gets no stamp rather than a wrong one.
        if (Convert.FromHexString(hash, stamp.AsSpan(0, HashLength), out _, out var written) != System.Buffers.OperationStatus.Done || written != HashLength)
            return;
        BinaryPrimitives.WriteInt64LittleEndian(stamp.AsSpan(HashLength), size);
        BinaryPrimitives.WriteInt64LittleEndian(stamp.AsSpan(HashLength + 8), modified.Ticks);
        // Best effort: without the stamp, readers hash the file.
        _ = SetAttribute(path, AttributeName, stamp, (nuint)stamp.Length, 0);
    }

    [LibraryImport("libc", EntryPoint = "setxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetAttribute(string path, string name, byte[] value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "getxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint GetAttribute(string path, string name, byte[] value, nuint size);
}
