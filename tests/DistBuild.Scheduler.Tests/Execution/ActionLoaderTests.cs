using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Action = Build.Bazel.Remote.Execution.V2.Action;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.Scheduler.Tests.Execution;

public sealed class ActionLoaderTests
{
    [Fact]
    public void Every_missing_blob_of_the_input_tree_is_reported_at_once()
    {
        var parts = new SchedulerParts();
        var missingFile = Digests.Compute("fn main() {}"u8);
        var missingDirectory = new Directory { Files = { new FileNode { Name = "x.rs", Digest = Digests.Compute("x"u8) } } };
        var deep = new Directory { Files = { new FileNode { Name = "main.rs", Digest = missingFile } } };
        var root = new Directory
        {
            Directories =
            {
                new DirectoryNode { Name = "gone", Digest = Digests.Compute(missingDirectory) },
                new DirectoryNode { Name = "src", Digest = parts.Put(deep.ToByteString()) },
            },
        };
        var action = StoreAction(parts, new Command { Arguments = { "rustc", "src/main.rs" } }, root);

        var error = Assert.Throws<MissingInputsException>(() => parts.Loader.Load(action));

        Assert.Equal(new[] { Digests.Compute(missingDirectory), missingFile }.Select(Digests.Format).Order(), error.Missing.Select(Digests.Format).Order());
    }

    [Fact]
    public void Missing_action_is_reported_as_missing()
    {
        var parts = new SchedulerParts();
        var action = Digests.Compute("not uploaded"u8);

        Assert.Equal([action], Assert.Throws<MissingInputsException>(() => parts.Loader.Load(action)).Missing);
    }

    [Fact]
    public void Input_tree_breaking_the_rules_is_rejected()
    {
        var parts = new SchedulerParts();
        var file = parts.Put("x");
        var unsorted = new Directory { Files = { new FileNode { Name = "b.rs", Digest = file }, new FileNode { Name = "a.rs", Digest = file } } };
        var action = StoreAction(parts, new Command { Arguments = { "rustc", "a.rs" } }, unsorted);

        Assert.Contains("not sorted", Assert.Throws<ActionRejectedException>(() => parts.Loader.Load(action)).Message);
    }

    [Fact]
    public void Command_that_is_not_rustc_is_rejected()
    {
        var parts = new SchedulerParts();
        var action = StoreAction(parts, new Command { Arguments = { "/bin/sh", "-c", "rm -rf /" } }, new Directory());

        Assert.Contains("only rustc", Assert.Throws<ActionRejectedException>(() => parts.Loader.Load(action)).Message);
    }

    [Fact]
    public void Action_timeout_defaults_and_may_not_exceed_the_maximum()
    {
        var parts = new SchedulerParts(new SchedulerOptions { DefaultJobTimeout = TimeSpan.FromMinutes(7), MaxJobTimeout = TimeSpan.FromMinutes(20) });
        var command = new Command { Arguments = { "/usr/bin/rustc", "--crate-name", "core", "--crate-type", "lib", "src/lib.rs" } };

        var loaded = parts.Loader.Load(StoreAction(parts, command, new Directory()));
        Assert.Equal(TimeSpan.FromMinutes(7), loaded.Timeout);
        Assert.Equal("rustc core (lib)", loaded.Description);

        var tooLong = StoreAction(parts, command, new Directory(), Duration.FromTimeSpan(TimeSpan.FromHours(2)));
        Assert.Contains("MaxJobTimeout", Assert.Throws<ActionRejectedException>(() => parts.Loader.Load(tooLong)).Message);
    }

    private static Digest StoreAction(SchedulerParts parts, Command command, Directory root, Duration? timeout = null)
    {
        var action = new Action { CommandDigest = parts.Put(command.ToByteString()), InputRootDigest = parts.Put(root.ToByteString()), Timeout = timeout };
        return parts.Put(action.ToByteString());
    }
}
