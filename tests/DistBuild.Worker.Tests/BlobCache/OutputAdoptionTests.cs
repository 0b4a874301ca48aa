using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.InputTrees;
using DistBuild.Testing;
using DistBuild.Worker.BlobCache;
using DistBuild.Worker.Sandbox;
using Microsoft.Extensions.Logging.Abstractions;

namespace DistBuild.Worker.Tests.BlobCache;

/// <summary>A job's outputs stay in the worker's blob cache, so the jobs that depend on them do not fetch them back.</summary>
public sealed class OutputAdoptionTests
{
    private readonly string _work = TemporaryDirectory.Create("adoption");
    private readonly InMemoryCasStore _store = new();

    private LocalBlobCache NewCache() =>
        new(Path.Combine(_work, "blobs"), long.MaxValue, TimeProvider.System, NullLogger<LocalBlobCache>.Instance);

    /// <summary>Writes a first job's output with <paramref name="mode"/> and has a new cache adopt it.</summary>
    private (LocalBlobCache Cache, Digest Digest) AdoptJobOutput(string name, byte[] contents, UnixFileMode mode)
    {
        var path = Path.Combine(_work, "jobs", "first", "out", name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, contents);
        File.SetUnixFileMode(path, mode);
        var digest = Digests.ComputeFile(path);
        var cache = NewCache();
        cache.Adopt(digest, path);
        return (cache, digest);
    }

    /// <summary>
    /// Lays out, as a second job's input root, a tree of one file with <paramref name="contents"/>; the store holds
    /// the tree's blobs except, when <paramref name="withoutFile"/>, the file's own, so fetching it would fail.
    /// </summary>
    private async Task<(InputTree Tree, string Root)> MaterializeOneFileAsync(
        LocalBlobCache cache, string relativePath, byte[] contents, bool isExecutable, bool withoutFile)
    {
        var builder = new InputTreeBuilder();
        var file = BlobSource.FromBytes(Google.Protobuf.ByteString.CopyFrom(contents));
        builder.AddFile(relativePath, file, isExecutable);
        var tree = builder.Build();
        foreach (var blob in tree.Blobs.Where(b => !withoutFile || b.Digest.Key() != file.Digest.Key()))
            _store.Add(blob);
        var root = Path.Combine(_work, "jobs", "second", "root");
        System.IO.Directory.CreateDirectory(root);
        await new TreeMaterializer(cache, _store).MaterializeAsync(tree.RootDigest, root, CancellationToken.None);
        return (tree, root);
    }

    [Fact]
    public async Task An_adopted_output_is_the_next_jobs_input_without_a_download_after_its_job_directory_is_gone()
    {
        var contents = "!<arch>\nlibrary bytes"u8.ToArray();
        var (cache, digest) = AdoptJobOutput("libdep.rlib", contents, (UnixFileMode)0b110_100_100);
        System.IO.Directory.Delete(Path.Combine(_work, "jobs", "first"), recursive: true);

        // The blob is not in the store: a download attempt would fail with NOT_FOUND.
        var (tree, root) = await MaterializeOneFileAsync(cache, "t/debug/deps/libdep.rlib", contents, isExecutable: false, withoutFile: true);

        Assert.Equal(contents, File.ReadAllBytes(Path.Combine(root, "t/debug/deps/libdep.rlib")));
        // Only the Directory messages of the tree came from the store.
        Assert.Equal(tree.Blobs.Count(b => b.Digest.Key() != digest.Key()), _store.Downloads);
    }

    [Fact]
    public async Task An_executable_output_is_the_next_jobs_executable_input_and_never_the_plain_blob()
    {
        // A proc-macro library: its dependents load it, as an executable input.
        var contents = "\x7fELF proc macro"u8.ToArray();
        var (cache, digest) = AdoptJobOutput("libderive.so", contents, (UnixFileMode)0b111_101_101);
        System.IO.Directory.Delete(Path.Combine(_work, "jobs", "first"), recursive: true);

        Assert.True(cache.HasExecutable(digest));
        Assert.False(cache.Contains(digest));
        var (tree, root) = await MaterializeOneFileAsync(cache, "t/debug/deps/libderive.so", contents, isExecutable: true, withoutFile: true);

        var input = Path.Combine(root, "t/debug/deps/libderive.so");
        Assert.Equal(contents, File.ReadAllBytes(input));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(input));
        Assert.Equal(tree.Blobs.Count(b => b.Digest.Key() != digest.Key()), _store.Downloads);
    }

    [Fact]
    public async Task The_same_bytes_as_a_plain_input_are_fetched_and_not_executable()
    {
        var contents = "\x7fELF proc macro"u8.ToArray();
        var (cache, digest) = AdoptJobOutput("libderive.so", contents, (UnixFileMode)0b111_101_101);

        var (tree, root) = await MaterializeOneFileAsync(cache, "copy/libderive.so", contents, isExecutable: false, withoutFile: false);

        var input = Path.Combine(root, "copy/libderive.so");
        Assert.Equal(contents, File.ReadAllBytes(input));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(input) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute));
        Assert.Equal(tree.Blobs.Count, _store.Downloads);
    }

    [Fact]
    public void An_executable_with_another_mode_than_the_executable_entrys_is_not_adopted()
    {
        var (cache, digest) = AdoptJobOutput("hello", "\x7fELF"u8.ToArray(), (UnixFileMode)0b111_111_101);

        Assert.False(cache.Contains(digest));
        Assert.False(cache.HasExecutable(digest));
    }
}
