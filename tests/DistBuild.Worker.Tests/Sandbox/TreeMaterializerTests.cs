using System.Text;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.InputTrees;
using DistBuild.Testing;
using static DistBuild.Testing.FileIdentity;
using DistBuild.Worker.BlobCache;
using DistBuild.Worker.Jobs;
using DistBuild.Worker.Sandbox;
using DistBuild.Worker.Tests.BlobCache;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.Worker.Tests.Sandbox;

public sealed class TreeMaterializerTests
{
    private readonly string _work = TemporaryDirectory.Create("materializer");
    private readonly InMemoryCasStore _store = new();

    private LocalBlobCache NewCache(long maxBytes = long.MaxValue) =>
        new(Path.Combine(_work, "blobs"), maxBytes, TimeProvider.System, NullLogger<LocalBlobCache>.Instance);

    private static BlobSource Text(string text) => BlobSource.FromBytes(ByteString.CopyFromUtf8(text));

    private Digest Upload(InputTreeBuilder builder)
    {
        var tree = builder.Build();
        foreach (var blob in tree.Blobs)
            _store.Add(blob);
        return tree.RootDigest;
    }

    private Digest UploadDirectory(Directory directory)
    {
        var blob = BlobSource.FromMessage(directory);
        _store.Add(blob);
        return blob.Digest;
    }

    private string NewRoot(string name)
    {
        var root = Path.Combine(_work, "jobs", name, "root");
        System.IO.Directory.CreateDirectory(root);
        return root;
    }

    [Fact]
    public async Task Files_are_hard_linked_from_the_blob_cache_with_the_executable_bit_honoured()
    {
        var builder = new InputTreeBuilder();
        builder.AddFile("home/me/proj/src/main.rs", Text("fn main() {}"), isExecutable: false);
        builder.AddFile("home/me/proj/build.sh", Text("#!/bin/sh\n"), isExecutable: true);
        builder.AddDirectory("home/me/proj/target/debug/deps");
        var rootDigest = Upload(builder);
        var cache = NewCache();
        var root = NewRoot("j1");

        await new TreeMaterializer(cache, _store).MaterializeAsync(rootDigest, root, CancellationToken.None);

        var source = Path.Combine(root, "home/me/proj/src/main.rs");
        Assert.Equal("fn main() {}", File.ReadAllText(source));
        Assert.True(System.IO.Directory.Exists(Path.Combine(root, "home/me/proj/target/debug/deps")));
        Assert.Equal(Inode(cache.PathOf(Digests.Compute(Encoding.UTF8.GetBytes("fn main() {}")), executable: false)), Inode(source));
        Assert.True((File.GetUnixFileMode(Path.Combine(root, "home/me/proj/build.sh")) & UnixFileMode.UserExecute) != 0);
        Assert.True((File.GetUnixFileMode(source) & UnixFileMode.UserExecute) == 0);
    }

    [Fact]
    public async Task A_second_job_with_the_same_inputs_is_served_from_the_cache()
    {
        var builder = new InputTreeBuilder();
        builder.AddFile("a/lib.rs", Text("pub fn f() {}"), isExecutable: false);
        var rootDigest = Upload(builder);
        var cache = NewCache();

        await new TreeMaterializer(cache, _store).MaterializeAsync(rootDigest, NewRoot("first"), CancellationToken.None);
        var downloads = _store.Downloads;
        await new TreeMaterializer(cache, _store).MaterializeAsync(rootDigest, NewRoot("second"), CancellationToken.None);

        Assert.Equal(downloads, _store.Downloads);
        Assert.Equal("pub fn f() {}", File.ReadAllText(Path.Combine(_work, "jobs/second/root/a/lib.rs")));
    }

    [Fact]
    public async Task A_missing_input_blob_is_named_in_the_failure()
    {
        var builder = new InputTreeBuilder();
        var lost = Text("lost");
        builder.AddFile("src/lib.rs", lost, isExecutable: false);
        var rootDigest = Upload(builder);
        _store.Blobs.Remove(lost.Digest.Key());

        var failure = await Assert.ThrowsAsync<MissingBlobsException>(() =>
            new TreeMaterializer(NewCache(), _store).MaterializeAsync(rootDigest, NewRoot("missing"), CancellationToken.None));
        Assert.Equal(lost.Digest, Assert.Single(failure.Missing));
    }

    [Fact]
    public async Task A_directory_named_dot_dot_is_refused()
    {
        var child = UploadDirectory(new Directory());
        var root = new Directory();
        root.Directories.Add(new DirectoryNode { Name = "..", Digest = child });

        var failure = await Assert.ThrowsAsync<JobFailure>(() =>
            new TreeMaterializer(NewCache(), _store).MaterializeAsync(UploadDirectory(root), NewRoot("dotdot"), CancellationToken.None));
        Assert.Equal((int)StatusCode.InvalidArgument, failure.Status.Code);
        Assert.Contains("..", failure.Status.Message);
    }

    [Fact]
    public async Task A_symlink_to_an_absolute_path_is_refused()
    {
        var root = new Directory();
        root.Symlinks.Add(new SymlinkNode { Name = "passwd", Target = "/etc/passwd" });

        var failure = await Assert.ThrowsAsync<JobFailure>(() =>
            new TreeMaterializer(NewCache(), _store).MaterializeAsync(UploadDirectory(root), NewRoot("abs-link"), CancellationToken.None));
        Assert.Equal((int)StatusCode.InvalidArgument, failure.Status.Code);
        Assert.Contains("/etc/passwd", failure.Status.Message);
        Assert.False(File.Exists(Path.Combine(_work, "jobs/abs-link/root/passwd")));
    }

    [Theory]
    [InlineData("", "../outside", false)]
    [InlineData("a", "../../outside", false)]
    [InlineData("a", "b/../../..", false)]
    [InlineData("a/b", "../../lib.rs", true)]
    [InlineData("a", "b/c.rs", true)]
    public void A_symlink_may_point_anywhere_inside_the_root_but_not_out_of_it(string directory, string target, bool allowed)
    {
        var error = TreeMaterializer.ValidateSymlink(directory, new SymlinkNode { Name = "link", Target = target });
        Assert.Equal(allowed, error is null);
    }

    [Fact]
    public async Task A_relative_symlink_inside_the_tree_is_created()
    {
        var builder = new InputTreeBuilder();
        builder.AddFile("a/real.rs", Text("x"), isExecutable: false);
        var tree = builder.Build();
        foreach (var blob in tree.Blobs)
            _store.Add(blob);
        var rootMessage = Directory.Parser.ParseFrom(_store.Blobs[tree.RootDigest.Key()]);
        rootMessage.Symlinks.Add(new SymlinkNode { Name = "link.rs", Target = "a/real.rs" });
        var root = NewRoot("link");

        await new TreeMaterializer(NewCache(), _store).MaterializeAsync(UploadDirectory(rootMessage), root, CancellationToken.None);

        Assert.Equal("x", File.ReadAllText(Path.Combine(root, "link.rs")));
    }

    [Fact]
    public async Task Trimming_the_cache_keeps_files_a_sandbox_already_linked()
    {
        var builder = new InputTreeBuilder();
        builder.AddFile("big.rlib", Text(new string('x', 4096)), isExecutable: false);
        var rootDigest = Upload(builder);
        var cache = NewCache(maxBytes: 10);
        var root = NewRoot("trim");

        await new TreeMaterializer(cache, _store).MaterializeAsync(rootDigest, root, CancellationToken.None);
        cache.Trim();

        Assert.True(cache.TotalBytes <= 10);
        Assert.Equal(4096, new FileInfo(Path.Combine(root, "big.rlib")).Length);
    }
}
