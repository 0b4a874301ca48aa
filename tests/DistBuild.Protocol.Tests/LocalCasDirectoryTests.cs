using System.Text;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using static DistBuild.Testing.FileIdentity;

namespace DistBuild.Protocol.Tests;

// Hard links, link counts and file modes are POSIX matters.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalCasDirectoryTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("distbuild-local-cas-").FullName;

    private (Build.Bazel.Remote.Execution.V2.Digest Digest, string Path) Store(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var digest = Digests.Digests.Compute(bytes);
        var path = LocalCasDirectory.BlobPath(_root, digest.Hash);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return (digest, path);
    }

    [Fact]
    public void A_blob_is_copied_to_the_output_path_with_the_executable_bit_asked_for()
    {
        var (digest, blob) = Store("#!/bin/sh\necho hi\n");
        File.SetLastWriteTimeUtc(blob, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var target = Path.Combine(Directory.CreateTempSubdirectory("distbuild-out-").FullName, "deps", "tool");

        Assert.True(new LocalCasDirectory(_root).TryCopy(digest, target, isExecutable: true));

        Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(target));
        // Written now, as rustc would have: an old blob's time would make cargo think the output stale.
        Assert.True(File.GetLastWriteTimeUtc(target) > DateTime.UtcNow.AddMinutes(-5));
        if (!OperatingSystem.IsWindows())
            Assert.True((File.GetUnixFileMode(target) & UnixFileMode.UserExecute) != 0);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(target)!));
    }

    [Fact]
    public void A_corrupted_blob_is_not_copied_so_the_caller_downloads_it()
    {
        var (digest, path) = Store("pub fn answer() -> u32 { 42 }");
        File.WriteAllText(path, "pub fn answer() -> u32 { 41 }");
        var directory = Directory.CreateTempSubdirectory("distbuild-out-").FullName;
        var target = Path.Combine(directory, "lib.rlib");

        Assert.False(new LocalCasDirectory(_root).TryCopy(digest, target, isExecutable: false));

        Assert.Empty(Directory.GetFiles(directory));
    }

    [Fact]
    public void An_absent_blob_is_not_copied()
    {
        var digest = Digests.Digests.Compute(Encoding.UTF8.GetBytes("never stored"));
        var directory = Directory.CreateTempSubdirectory("distbuild-out-").FullName;

        Assert.False(new LocalCasDirectory(_root).TryCopy(digest, Path.Combine(directory, "x"), isExecutable: false));

        Assert.Empty(Directory.GetFiles(directory));
    }

    private string Source(string name, string text, UnixFileMode? mode = null)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("distbuild-src-").FullName, name);
        File.WriteAllText(path, text);
        if (mode is { } m)
            File.SetUnixFileMode(path, m);
        return path;
    }

    [Fact]
    public void A_job_output_put_with_linking_allowed_becomes_the_blob_without_a_copy()
    {
        var file = Source("libcore.rlib", "rlib bytes");
        var digest = Digests.Digests.ComputeFile(file);

        Assert.True(new LocalCasDirectory(_root).TryPut(BlobSource.FromFile(file, digest), mayLink: true));

        var blob = LocalCasDirectory.BlobPath(_root, digest.Hash);
        Assert.Equal("rlib bytes", File.ReadAllText(blob));
        Assert.Equal(2, LinkCount(blob));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(blob)!));
    }

    [Fact]
    public void A_source_put_without_linking_is_copied_so_editing_it_later_leaves_the_blob_alone()
    {
        var file = Source("lib.rs", "pub fn answer() -> u32 { 42 }");
        var digest = Digests.Digests.ComputeFile(file);

        Assert.True(new LocalCasDirectory(_root).TryPut(BlobSource.FromFile(file, digest), mayLink: false));
        File.WriteAllText(file, "pub fn answer() -> u32 { 41 }");

        var blob = LocalCasDirectory.BlobPath(_root, digest.Hash);
        Assert.Equal("pub fn answer() -> u32 { 42 }", File.ReadAllText(blob));
        Assert.Equal(1, LinkCount(blob));
    }

    [Fact]
    public void A_copied_source_is_stamped_as_it_is_checked_so_the_next_reader_need_not_hash_it()
    {
        var file = Source("lib.rs", "pub fn answer() -> u32 { 42 }");
        var digest = Digests.Digests.ComputeFile(file);

        Assert.True(new LocalCasDirectory(_root).TryPut(BlobSource.FromFile(file, digest), mayLink: false));

        Assert.True(ContentStamp.Proves(LocalCasDirectory.BlobPath(_root, digest.Hash), digest));
    }

    [Fact]
    public void An_executable_output_is_linked_too_and_a_copy_out_of_the_cas_gets_the_mode_it_asks_for()
    {
        var file = Source("build-script-build", "#!/bin/sh\n", (UnixFileMode)0b111_101_101);
        var digest = Digests.Digests.ComputeFile(file);
        var directory = new LocalCasDirectory(_root);

        Assert.True(directory.TryPut(BlobSource.FromFile(file, digest), mayLink: true));
        var outputs = Directory.CreateTempSubdirectory("distbuild-out-").FullName;
        Assert.True(directory.TryCopy(digest, Path.Combine(outputs, "as-input"), isExecutable: false));
        Assert.True(directory.TryCopy(digest, Path.Combine(outputs, "as-tool"), isExecutable: true));

        Assert.Equal(2, LinkCount(LocalCasDirectory.BlobPath(_root, digest.Hash)));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(Path.Combine(outputs, "as-input")));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(outputs, "as-tool")));
    }

    [Fact]
    public void In_memory_bytes_are_written_as_the_blob()
    {
        var blob = BlobSource.FromBytes(Google.Protobuf.ByteString.CopyFromUtf8("rustc's stderr"));

        Assert.True(new LocalCasDirectory(_root).TryPut(blob, mayLink: true));

        Assert.Equal("rustc's stderr", File.ReadAllText(LocalCasDirectory.BlobPath(_root, blob.Digest.Hash)));
    }

    [Fact]
    public void A_file_that_changed_since_it_was_hashed_is_not_put_so_the_caller_uploads_it_and_the_server_refuses_it()
    {
        var file = Source("lib.rs", "pub fn answer() -> u32 { 42 }");
        var digest = Digests.Digests.ComputeFile(file);
        File.WriteAllText(file, "pub fn answer() -> u32 { 41 }");

        Assert.False(new LocalCasDirectory(_root).TryPut(BlobSource.FromFile(file, digest), mayLink: false));

        Assert.Empty(Directory.GetFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_blob_already_there_is_not_written_again()
    {
        var (_, path) = Store("already stored");
        File.SetLastWriteTimeUtc(path, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.True(new LocalCasDirectory(_root).TryPut(BlobSource.FromBytes(Google.Protobuf.ByteString.CopyFromUtf8("already stored")), mayLink: true));

        Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void A_directory_that_cannot_be_written_refuses_the_put()
    {
        var file = Source("lib.rs", "fn main() {}");
        var digest = Digests.Digests.ComputeFile(file);
        var blocked = Path.Combine(_root, "blocked");
        File.WriteAllText(blocked, "a file where the CAS directory should be");

        Assert.False(new LocalCasDirectory(blocked).TryPut(BlobSource.FromFile(file, digest), mayLink: false));
    }

    [Fact]
    public void A_plain_blob_is_linked_for_a_blob_cache_and_an_executable_or_corrupted_one_is_not()
    {
        var (plain, plainBlob) = Store("pub fn answer() -> u32 { 42 }");
        var (executable, executableBlob) = Store("ELF, say");
        File.SetUnixFileMode(executableBlob, (UnixFileMode)0b111_101_101);
        var (corrupted, corruptedBlob) = Store("the stored content");
        File.WriteAllText(corruptedBlob, "another content!!!");
        var cache = Directory.CreateTempSubdirectory("distbuild-cache-").FullName;
        var directory = new LocalCasDirectory(_root);

        Assert.True(directory.TryLink(plain, Path.Combine(cache, "plain")));
        Assert.False(directory.TryLink(executable, Path.Combine(cache, "executable")));
        Assert.False(directory.TryLink(corrupted, Path.Combine(cache, "corrupted")));
        Assert.False(directory.TryLink(Digests.Digests.Compute("never stored"u8), Path.Combine(cache, "absent")));

        Assert.Equal(2, LinkCount(plainBlob));
        Assert.Equal(["plain"], Directory.GetFiles(cache).Select(Path.GetFileName));
    }

    [Fact]
    public void A_stamped_file_proves_its_digest_until_it_is_rewritten()
    {
        var file = Source("libstamped.rlib", "rlib bytes");

        var digest = ContentStamp.HashAndStamp(file);

        Assert.Equal(Digests.Digests.ComputeFile(file), digest);
        Assert.True(ContentStamp.Proves(file, digest));
        Assert.False(ContentStamp.Proves(file, Digests.Digests.Compute(Encoding.UTF8.GetBytes("other bytes"))));
        // Rewritten later: same length, other bytes, a newer modification time.
        File.WriteAllText(file, "rlib BYTES");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
        Assert.False(ContentStamp.Proves(file, digest));
        Assert.False(ContentStamp.Proves(Source("unstamped.rlib", "rlib bytes"), digest));
    }

    [Fact]
    public void A_stamp_takes_no_disk_block_of_its_own()
    {
        var file = Source("libsmall.rlib", "a small output");
        var before = Blocks(file);

        ContentStamp.HashAndStamp(file);

        Assert.NotNull(ContentStamp.Read(file));
        // ext4 keeps an attribute of up to about 56 bytes inside the inode; a longer one costs every stamped file a block.
        Assert.Equal(before, Blocks(file));
    }

    /// <summary>A job's output as the worker leaves it: hashed and stamped, then linked into the CAS.</summary>
    private (string Output, Build.Bazel.Remote.Execution.V2.Digest Digest, LocalCasDirectory Cas) PutStampedOutput(string name, string text)
    {
        var output = Source(name, text);
        var digest = ContentStamp.HashAndStamp(output);
        var cas = new LocalCasDirectory(_root);
        Assert.True(cas.TryPut(BlobSource.FromFile(output, digest), mayLink: true));
        return (output, digest, cas);
    }

    [Fact]
    public void A_stamped_blob_is_copied_and_linked_out_and_one_rewritten_since_is_refused()
    {
        var (output, digest, cas) = PutStampedOutput("libout.rlib", "output bytes");
        var targets = Directory.CreateTempSubdirectory("distbuild-out-").FullName;

        Assert.True(cas.TryCopy(digest, Path.Combine(targets, "copied.rlib"), isExecutable: false));
        Assert.True(cas.TryLink(digest, Path.Combine(targets, "linked.rlib")));
        Assert.Equal("output bytes", File.ReadAllText(Path.Combine(targets, "copied.rlib")));

        // The blob's inode rewritten in place (through the output's path), so its stamp no longer holds: hashed, refused.
        File.WriteAllText(output, "OUTPUT BYTES");
        File.SetLastWriteTimeUtc(output, DateTime.UtcNow.AddSeconds(5));
        Assert.False(cas.TryCopy(digest, Path.Combine(targets, "copied-again.rlib"), isExecutable: false));
        Assert.False(cas.TryLink(digest, Path.Combine(targets, "linked-again.rlib")));
        Assert.False(File.Exists(Path.Combine(targets, "copied-again.rlib")));
    }

    [Fact]
    public void A_blob_the_compile_itself_wrote_is_linked_into_the_target_directory_as_it_is_and_an_older_one_is_not()
    {
        var (output, digest, cas) = PutStampedOutput("libfresh.rlib", "fresh rlib bytes");
        var blob = LocalCasDirectory.BlobPath(_root, digest.Hash);
        var written = File.GetLastWriteTimeUtc(blob);
        var target = Path.Combine(Directory.CreateTempSubdirectory("distbuild-out-").FullName, "deps", "libfresh.rlib");

        Assert.True(cas.TryLinkFresh(digest, target, isExecutable: false, writtenSince: written.AddSeconds(-1)));

        Assert.Equal("fresh rlib bytes", File.ReadAllText(target));
        // The job's output, the blob and the target: one inode, no second copy of the bytes.
        Assert.Equal(3, LinkCount(blob));
        // The time stays the blob's, new enough for cargo: moving it would move it for every link.
        Assert.Equal(written, File.GetLastWriteTimeUtc(target));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(target)!));

        // A blob from before the compile (a cache hit) would need a newer time for cargo, so it is copied instead.
        Assert.False(cas.TryLinkFresh(digest, target + ".cached", isExecutable: false, writtenSince: written.AddSeconds(1)));
        Assert.False(File.Exists(target + ".cached"));
        Assert.Equal(3, LinkCount(blob));
    }

    [Fact]
    public void A_fresh_blob_whose_mode_or_content_is_not_the_one_asked_for_is_not_linked()
    {
        var (output, digest, cas) = PutStampedOutput("libmode.rlib", "plain bytes");
        var targets = Directory.CreateTempSubdirectory("distbuild-out-").FullName;
        var since = DateTime.UtcNow.AddMinutes(-1);

        // The mode belongs to the inode: a plain blob cannot become an executable output by a link.
        Assert.False(cas.TryLinkFresh(digest, Path.Combine(targets, "tool"), isExecutable: true, since));

        // Rewritten in place, same length: the stamp no longer holds and the bytes are not the digest's.
        File.WriteAllText(output, "PLAIN BYTES");
        File.SetLastWriteTimeUtc(output, DateTime.UtcNow.AddSeconds(5));
        Assert.False(cas.TryLinkFresh(digest, Path.Combine(targets, "libmode.rlib"), isExecutable: false, since));
        Assert.Empty(Directory.GetFiles(targets));
    }
}
