using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.InputTrees;
using Google.Protobuf;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.Protocol.Tests;

public class InputTreeBuilderTests
{
    [Fact]
    public void Same_files_added_in_any_order_give_the_same_root_digest()
    {
        var first = new InputTreeBuilder();
        first.AddFile("work/proj/src/main.rs", Blob("fn main() {}"), false);
        first.AddFile("work/proj/Cargo.toml", Blob("[package]"), false);
        first.AddFile("work/proj/a.rs", Blob("a"), false);
        var second = new InputTreeBuilder();
        second.AddFile("work/proj/a.rs", Blob("a"), false);
        second.AddFile("work/proj/Cargo.toml", Blob("[package]"), false);
        second.AddFile("work/proj/src/main.rs", Blob("fn main() {}"), false);

        Assert.Equal(first.Build().RootDigest, second.Build().RootDigest);
    }

    [Fact]
    public void Directory_entries_are_sorted_and_valid()
    {
        var builder = new InputTreeBuilder();
        builder.AddFile("b.rs", Blob("b"), false);
        builder.AddFile("B.rs", Blob("B"), false);
        builder.AddFile("a.rs", Blob("a"), true);
        builder.AddDirectory("out");

        var tree = builder.Build();
        var root = Directory.Parser.ParseFrom(tree.Blobs.Single(b => b.Digest.Equals(tree.RootDigest)).ReadAll());

        Assert.Equal(["B.rs", "a.rs", "b.rs"], root.Files.Select(f => f.Name));
        Assert.True(root.Files.Single(f => f.Name == "a.rs").IsExecutable);
        Assert.Equal(["out"], root.Directories.Select(d => d.Name));
        Assert.Null(DirectoryRules.Validate(root));
    }

    [Fact]
    public void Tree_lists_every_blob_a_server_needs_once()
    {
        var builder = new InputTreeBuilder();
        builder.AddFile("x/one.rs", Blob("same"), false);
        builder.AddFile("y/two.rs", Blob("same"), false);

        var tree = builder.Build();

        // root, x, y (x and y are identical directories, so one blob), and the shared content.
        Assert.Equal(tree.Blobs.Count, tree.Blobs.Select(b => b.Digest.Key()).Distinct().Count());
        Assert.Contains(tree.Blobs, b => b.Digest.Equals(Digests.Digests.Compute("same"u8)));
    }

    [Theory]
    [InlineData("/abs/path.rs")]
    [InlineData("a/../b.rs")]
    [InlineData("./a.rs")]
    public void Paths_that_could_leave_the_root_are_refused(string path)
    {
        Assert.Throws<ArgumentException>(() => new InputTreeBuilder().AddFile(path, Blob("x"), false));
    }

    private static BlobSource Blob(string text) => BlobSource.FromBytes(ByteString.CopyFromUtf8(text));
}
