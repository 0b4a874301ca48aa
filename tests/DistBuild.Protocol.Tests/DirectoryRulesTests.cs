using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.InputTrees;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.Protocol.Tests;

public class DirectoryRulesTests
{
    private static readonly Digest Some = Digests.Digests.Compute("x"u8);

    [Theory]
    [InlineData("..", "not allowed")]
    [InlineData(".", "not allowed")]
    [InlineData("", "empty")]
    [InlineData("a/b", "contains '/'")]
    public void Bad_names_are_refused(string name, string reason)
    {
        var directory = new Directory();
        directory.Files.Add(new FileNode { Name = name, Digest = Some });

        Assert.Contains(reason, DirectoryRules.Validate(directory));
    }

    [Fact]
    public void Unsorted_entries_are_refused()
    {
        var directory = new Directory();
        directory.Files.Add(new FileNode { Name = "b", Digest = Some });
        directory.Files.Add(new FileNode { Name = "a", Digest = Some });

        Assert.Contains("not sorted", DirectoryRules.Validate(directory));
    }

    [Fact]
    public void A_name_used_twice_across_kinds_is_refused()
    {
        var directory = new Directory();
        directory.Files.Add(new FileNode { Name = "a", Digest = Some });
        directory.Directories.Add(new DirectoryNode { Name = "a", Digest = Some });

        Assert.Contains("more than once", DirectoryRules.Validate(directory));
    }

    [Fact]
    public void Absolute_symlink_targets_are_refused()
    {
        var directory = new Directory();
        directory.Symlinks.Add(new SymlinkNode { Name = "link", Target = "/etc/passwd" });

        Assert.Contains("outside the input tree", DirectoryRules.Validate(directory));
    }

    [Fact]
    public void Bad_child_digest_is_refused()
    {
        var directory = new Directory();
        directory.Directories.Add(new DirectoryNode { Name = "src", Digest = new Digest { Hash = "nothex", SizeBytes = 3 } });

        Assert.Contains("src", DirectoryRules.Validate(directory));
    }
}
