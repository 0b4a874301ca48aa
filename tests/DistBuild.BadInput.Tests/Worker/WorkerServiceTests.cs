using Build.Bazel.Remote.Execution.V2;
using DistBuild.BadInput.Tests.Support;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Workers;
using Grpc.Core;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.BadInput.Tests.Worker;

/// <summary>
/// distbuild.v1.WorkerService called directly, as a hostile scheduler could. ExecuteJob accepts a job at once and
/// reports how it ended through ReportJobResult; the worker logs that report ("Job ID did not run: CODE MESSAGE"),
/// which is what these tests read, since the scheduler drops reports for job ids it never issued.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class WorkerServiceTests(Farm farm)
{
    private static readonly TimeSpan ReportWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ExecuteJob_and_CancelJob_without_a_job_id_are_invalid_argument()
    {
        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => farm.WorkerService.ExecuteJobAsync(new ExecuteJobRequest(), deadline: Deadlines.Short()).ResponseAsync, "job_id is empty");
        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => farm.WorkerService.CancelJobAsync(new CancelJobRequest(), deadline: Deadlines.Short()).ResponseAsync, "job_id is empty");
    }

    [Fact]
    public async Task CancelJob_of_a_job_the_worker_does_not_run_is_a_harmless_no_op()
    {
        await farm.WorkerService.CancelJobAsync(new CancelJobRequest { JobId = "never-started" }, deadline: Deadlines.Short());
    }

    /// <summary>Jobs a scheduler should never send, each with the status and message the worker reports.</summary>
    private static readonly Dictionary<string, (Func<Farm, Task<ExecuteJobRequest>> Job, string Report)> BadJobs = new()
    {
        ["no command"] = (async f => new ExecuteJobRequest { Action = await ValidActionAsync(f) }, "InvalidArgument the job carries no Command"),
        ["no action"] = (_ => Task.FromResult(new ExecuteJobRequest { Command = ActionBuilder.Command() }), "InvalidArgument the job carries no Action"),
        ["/bin/sh"] = (async f => new ExecuteJobRequest { Action = await ValidActionAsync(f), Command = ActionBuilder.Command("/bin/sh") }, "PermissionDenied this worker only runs rustc, not '/bin/sh'"),
        ["output path beyond the root"] = (async f => new ExecuteJobRequest { Action = await ValidActionAsync(f), Command = WithOutput("../../../etc/x") }, "InvalidArgument output path '../../../etc/x' leaves the input root"),
        ["absolute output path"] = (async f => new ExecuteJobRequest { Action = await ValidActionAsync(f), Command = WithOutput("/etc/x") }, "InvalidArgument output path '/etc/x' is absolute"),
        ["working directory beyond the root"] = (async f =>
        {
            var command = ActionBuilder.Command();
            command.WorkingDirectory = "../..";
            return new ExecuteJobRequest { Action = await ValidActionAsync(f), Command = command };
        }, "InvalidArgument working directory '../..' leaves the input root"),
        ["malformed input root digest"] = (_ => Task.FromResult(new ExecuteJobRequest
        {
            Action = new Build.Bazel.Remote.Execution.V2.Action { InputRootDigest = new Digest { Hash = "XYZ", SizeBytes = 1 } },
            Command = ActionBuilder.Command(),
        }), "InvalidArgument input root digest"),
        ["symlink climbing out of the root"] = (async f => new ExecuteJobRequest
        {
            Action = new Build.Bazel.Remote.Execution.V2.Action { InputRootDigest = await f.StoreAsync(new Directory { Symlinks = { new SymlinkNode { Name = "up", Target = "../../../../etc" } } }) },
            Command = ActionBuilder.Command(),
        }, "InvalidArgument input directory '/': symlink 'up' points to '../../../../etc', outside the input root"),
        ["symlink to an absolute path"] = (async f => new ExecuteJobRequest
        {
            Action = new Build.Bazel.Remote.Execution.V2.Action { InputRootDigest = await f.StoreAsync(new Directory { Symlinks = { new SymlinkNode { Name = "abs", Target = "/etc/passwd" } } }) },
            Command = ActionBuilder.Command(),
        }, "InvalidArgument input directory '/': symlink 'abs' points to the absolute path '/etc/passwd'"),
        ["'..' as a directory name"] = (async f => new ExecuteJobRequest
        {
            Action = new Build.Bazel.Remote.Execution.V2.Action { InputRootDigest = await f.StoreAsync(new Directory { Directories = { new DirectoryNode { Name = "..", Digest = Digests.Empty } } }) },
            Command = ActionBuilder.Command(),
        }, "InvalidArgument input directory '/': directory entry: the name '..' is not allowed"),
        ["input root missing from the CAS"] = (_ => Task.FromResult(new ExecuteJobRequest
        {
            Action = new Build.Bazel.Remote.Execution.V2.Action { InputRootDigest = Digests.Compute("no such directory"u8) },
            Command = ActionBuilder.Command(),
        }), "FailedPrecondition"),
    };

    public static TheoryData<string> BadJobNames() => new(BadJobs.Keys);

    [Theory]
    [MemberData(nameof(BadJobNames))]
    public async Task Job_the_worker_must_not_run_is_reported_with_a_specific_status_and_nothing_runs(string name)
    {
        var (make, report) = BadJobs[name];
        var request = await make(farm);
        request.JobId = "bad-" + Guid.NewGuid().ToString("N")[..8];

        await farm.WorkerService.ExecuteJobAsync(request, deadline: Deadlines.Short());

        await farm.Worker.WaitForOutputAsync(System.Text.RegularExpressions.Regex.Escape($"Job {request.JobId} did not run: {report}"), ReportWait);
        Assert.DoesNotContain($"Job {request.JobId}: running", farm.Worker.Output);
        await farm.AssertHealthyAsync();
    }

    private static Command WithOutput(string path)
    {
        var command = ActionBuilder.Command();
        command.OutputPaths.Add(path);
        return command;
    }

    private static async Task<Build.Bazel.Remote.Execution.V2.Action> ValidActionAsync(Farm farm)
    {
        var source = await farm.StoreAsync(ActionBuilder.Source);
        var src = await farm.StoreAsync(new Directory { Files = { new FileNode { Name = "lib.rs", Digest = source } } });
        return new Build.Bazel.Remote.Execution.V2.Action { InputRootDigest = await farm.StoreAsync(new Directory { Directories = { new DirectoryNode { Name = "src", Digest = src } } }) };
    }
}
