using Build.Bazel.Remote.Execution.V2;
using DistBuild.BadInput.Tests.Support;
using DistBuild.Protocol.Digests;
using DistBuild.Testing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.BadInput.Tests.Scheduler;

/// <summary>Execute with hostile actions: bad input trees, paths that leave the sandbox, programs other than rustc.</summary>
[Collection(FarmCollection.Name)]
public sealed class ActionTests(Farm farm)
{
    private static readonly Digest SomeFile = Digests.Compute("x"u8);

    /// <summary>Input roots that break the standard's rules, each with a fragment the refusal must contain.</summary>
    private static readonly Dictionary<string, (Func<Digest, Directory> Root, string Fragment)> BadTrees = new()
    {
        ["'..' as a directory name"] = (src => new Directory { Directories = { new DirectoryNode { Name = "..", Digest = src } } }, "'..'"),
        ["'.' as a file name"] = (_ => new Directory { Files = { new FileNode { Name = ".", Digest = SomeFile } } }, "'.'"),
        ["'/' inside a name"] = (src => new Directory { Directories = { new DirectoryNode { Name = "a/b", Digest = src } } }, "contains '/'"),
        ["absolute name"] = (_ => new Directory { Files = { new FileNode { Name = "/etc/passwd", Digest = SomeFile } } }, "contains '/'"),
        ["empty name"] = (_ => new Directory { Files = { new FileNode { Name = "", Digest = SomeFile } } }, "empty"),
        ["NUL in a name"] = (_ => new Directory { Files = { new FileNode { Name = "a\0b", Digest = SomeFile } } }, "NUL"),
        ["duplicate file"] = (_ => new Directory { Files = { new FileNode { Name = "a", Digest = SomeFile }, new FileNode { Name = "a", Digest = SomeFile } } }, "more than once"),
        ["file and directory with one name"] = (src => new Directory { Files = { new FileNode { Name = "src", Digest = SomeFile } }, Directories = { new DirectoryNode { Name = "src", Digest = src } } }, "more than once"),
        ["unsorted files"] = (_ => new Directory { Files = { new FileNode { Name = "b", Digest = SomeFile }, new FileNode { Name = "a", Digest = SomeFile } } }, "not sorted"),
        ["symlink to an absolute path"] = (src => new Directory { Directories = { new DirectoryNode { Name = "src", Digest = src } }, Symlinks = { new SymlinkNode { Name = "passwd", Target = "/etc/passwd" } } }, "absolute"),
        ["symlink climbing out of the root"] = (src => new Directory { Directories = { new DirectoryNode { Name = "src", Digest = src } }, Symlinks = { new SymlinkNode { Name = "up", Target = "../../../etc/passwd" } } }, "outside the input root"),
        ["symlink climbing after descending"] = (src => new Directory { Directories = { new DirectoryNode { Name = "src", Digest = src } }, Symlinks = { new SymlinkNode { Name = "zig", Target = "src/../../etc" } } }, "'..'"),
        ["symlink with an empty target"] = (src => new Directory { Directories = { new DirectoryNode { Name = "src", Digest = src } }, Symlinks = { new SymlinkNode { Name = "nothing", Target = "" } } }, "empty target"),
        ["file with a malformed digest"] = (_ => new Directory { Files = { new FileNode { Name = "a", Digest = new Digest { Hash = "zz", SizeBytes = 1 } } } }, "characters"),
        ["directory without a digest"] = (_ => new Directory { Directories = { new DirectoryNode { Name = "a" } } }, "missing"),
    };

    public static TheoryData<string> BadTreeNames() => new(BadTrees.Keys);

    [Theory]
    [MemberData(nameof(BadTreeNames))]
    public async Task Input_tree_breaking_the_rules_is_invalid_argument_naming_the_entry(string name)
    {
        var (root, fragment) = BadTrees[name];
        var action = await ActionBuilder.StoreAsync(farm, root: src => Task.FromResult(root(src)));

        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = action, SkipCacheLookup = true }), "input directory", fragment);
        await farm.AssertHealthyAsync();
    }

    [Fact]
    public async Task Symlink_in_a_subdirectory_climbing_past_the_root_is_invalid_argument()
    {
        var action = await ActionBuilder.StoreAsync(farm, root: async src =>
        {
            var inner = await farm.StoreAsync(new Directory { Symlinks = { new SymlinkNode { Name = "escape", Target = "../../outside" } } });
            return new Directory { Directories = { new DirectoryNode { Name = "a", Digest = inner }, new DirectoryNode { Name = "src", Digest = src } } };
        });

        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = action, SkipCacheLookup = true }), "escape", "outside the input root");
    }

    /// <summary>Commands whose paths leave the sandbox.</summary>
    private static readonly Dictionary<string, (Action<Command> Edit, string Fragment)> BadPaths = new()
    {
        ["absolute output path"] = (c => c.OutputPaths.Add("/etc/cron.d/x"), "absolute"),
        ["output path beyond the root"] = (c => c.OutputPaths.Add("../../../etc/x"), "leaves the input root"),
        ["output path that is the working directory"] = (c => c.OutputPaths.Add("."), "working directory itself"),
        ["absolute deprecated output file"] = (c =>
        {
            c.OutputPaths.Clear();
#pragma warning disable CS0612 // the deprecated field is what an old client sends
            c.OutputFiles.Add("/tmp/x");
#pragma warning restore CS0612
        }, "absolute"),
        ["absolute working directory"] = (c => c.WorkingDirectory = "/tmp", "absolute"),
        ["working directory beyond the root"] = (c => c.WorkingDirectory = "a/../../..", "leaves the input root"),
        ["NUL in an output path"] = (c => c.OutputPaths.Add("out/a\0b"), "NUL"),
    };

    public static TheoryData<string> BadPathNames() => new(BadPaths.Keys);

    [Theory]
    [MemberData(nameof(BadPathNames))]
    public async Task Command_paths_that_leave_the_sandbox_are_invalid_argument_before_any_worker_sees_them(string name)
    {
        var (edit, fragment) = BadPaths[name];
        var command = ActionBuilder.Command();
        edit(command);
        var action = await ActionBuilder.StoreAsync(farm, command);

        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = action, SkipCacheLookup = true }), fragment);
        await farm.AssertHealthyAsync();
    }

    [Theory]
    [InlineData("/bin/sh", "/bin/sh")]
    [InlineData("sh", "sh")]
    [InlineData("rustc-evil", "rustc-evil")]
    [InlineData("rustc/", "rustc/")]
    [InlineData("", "''")]
    public async Task Command_whose_program_is_not_rustc_is_refused_naming_the_program(string program, string fragment)
    {
        var action = await ActionBuilder.StoreAsync(farm, ActionBuilder.Command(program));

        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = action, SkipCacheLookup = true }), "only rustc", fragment);
        await farm.AssertHealthyAsync();
    }

    [Fact]
    public async Task Command_without_arguments_is_refused()
    {
        var action = await ActionBuilder.StoreAsync(farm, new Command());

        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = action, SkipCacheLookup = true }), "no arguments");
    }

    [Theory]
    [InlineData("Action")]
    [InlineData("Command")]
    [InlineData("Directory")]
    public async Task Action_parts_that_are_not_the_message_they_claim_are_invalid_argument(string kind)
    {
        var garbage = await farm.StoreAsync(ByteString.CopyFrom(0x0A, 0x7F, 0x01, (byte)Random.Shared.Next(256)));
        var action = kind switch
        {
            "Action" => garbage,
            "Command" => await ActionBuilder.StoreAsync(farm, edit: a => a.CommandDigest = garbage),
            _ => await ActionBuilder.StoreAsync(farm, edit: a => a.InputRootDigest = garbage),
        };

        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = action, SkipCacheLookup = true }), $"not a valid {kind} message");
        await farm.AssertHealthyAsync();
    }

    [Theory]
    [InlineData(-5, "negative")]
    [InlineData(365 * 24 * 3600, "MaxJobTimeout")]
    public async Task Action_timeout_out_of_range_is_invalid_argument(int seconds, string fragment)
    {
        var action = await ActionBuilder.StoreAsync(farm, edit: a => a.Timeout = new Duration { Seconds = seconds });

        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = action, SkipCacheLookup = true }), "timeout", fragment);
    }

    [Fact]
    public async Task Action_whose_command_digest_is_malformed_is_invalid_argument()
    {
        var action = await ActionBuilder.StoreAsync(farm, edit: a => a.CommandDigest = new Digest { Hash = "ABC", SizeBytes = 3 });

        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = action, SkipCacheLookup = true }), "command_digest");
    }

    [Fact]
    public async Task Missing_action_is_failed_precondition_naming_the_blob_and_stores_nothing()
    {
        var absent = Digests.Compute(Guid.NewGuid().ToByteArray());

        var (_, response) = await ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = absent });

        Refusal.AssertStatus(StatusCode.FailedPrecondition, response!.Status, "missing", "upload");
        Assert.Equal([absent], DistBuild.Protocol.Execution.RemoteExecutor.MissingBlobs(response.Status));
        await farm.AssertHealthyAsync(absent);
    }

    /// <summary>
    /// Only the file name of arguments[0] is honoured: a client naming its own rustc (or any path ending in
    /// "rustc") gets the worker's rustc, never the program at that path.
    /// </summary>
    [Fact]
    public async Task Rustc_named_by_a_client_path_runs_as_the_workers_own_rustc()
    {
        var directory = TemporaryDirectory.Create("fake-rustc");
        var marker = Path.Combine(directory, "ran");
        var fake = Path.Combine(directory, "rustc");
        File.WriteAllText(fake, $"#!/bin/sh\ntouch '{marker}'\nexit 3\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var action = await ActionBuilder.StoreAsync(farm, ActionBuilder.Command(fake));

        var (_, response) = await ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = action, SkipCacheLookup = true }, TimeSpan.FromSeconds(90));

        Assert.True(response!.Status is null || response.Status.Code == 0, response.Status?.Message);
        Assert.Equal(0, response.Result.ExitCode);
        Assert.Equal("bad-input-worker", response.Result.ExecutionMetadata.Worker);
        Assert.Contains(response.Result.OutputFiles, f => f.Path == "out/libanswer.rlib");
        Assert.False(File.Exists(marker), "the client's program ran instead of the worker's rustc");
        foreach (var blob in response.Result.OutputFiles.Select(f => f.Digest).Append(response.Result.StdoutDigest).Append(response.Result.StderrDigest))
            farm.Allow(blob);
        await farm.AssertHealthyAsync();
    }
}
