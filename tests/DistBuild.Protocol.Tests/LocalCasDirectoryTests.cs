using System.Text;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;

namespace DistBuild.Protocol.Tests;

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
}
