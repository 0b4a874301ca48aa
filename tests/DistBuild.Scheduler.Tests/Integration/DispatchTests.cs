using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Toolchains;
using DistBuild.Protocol.Workers;
using DistBuild.Scheduler.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static DistBuild.Scheduler.Tests.Integration.ExecutionTests;

namespace DistBuild.Scheduler.Tests.Integration;

/// <summary>A scheduler with short liveness settings, as the command line sets them.</summary>
public sealed class FastLivenessSchedulerHost : SchedulerHost
{
    protected override string[] Settings => ["--Scheduler:WorkerTimeout=00:00:02", "--Scheduler:HeartbeatInterval=00:00:01", "--Scheduler:OperationUpdateInterval=00:00:01"];
}

/// <summary>Push dispatch over the wire, to stand-in workers served from in-test Kestrel hosts.</summary>
public sealed class DispatchTests(FastLivenessSchedulerHost host) : IClassFixture<FastLivenessSchedulerHost>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private Build.Bazel.Remote.Execution.V2.Execution.ExecutionClient Execution => new(host.Channel);
    private Protocol.Admin.Admin.AdminClient Admin => new(host.Channel);
    private Protocol.Workers.WorkerRegistry.WorkerRegistryClient Registry => new(host.Channel);

    [Fact]
    public async Task Job_is_pushed_to_a_worker_with_its_toolchain_and_the_reported_result_completes_and_caches_it()
    {
        var toolchain = UniqueToolchain();
        await using var worker = await FakeWorker.StartAsync();
        await worker.RegisterAsync(host.Channel, "w-" + toolchain.CommitHash, toolchain.ToPlatform());
        var action = await Blobs.UploadRustcActionAsync(host.Channel, "pushed", toolchain.ToPlatform());

        var execute = OperationsAsync(Execution.Execute(new ExecuteRequest { ActionDigest = action }));
        var job = await ReceiveAsync(worker.Received.Executed.Reader);
        Assert.Equal((action, 1), (job.ActionDigest, job.Attempt));
        Assert.Equal("rustc", job.Command.Arguments[0]);
        Assert.Equal(TimeSpan.FromMinutes(10), job.Timeout.ToTimeSpan());

        var output = await Blobs.UploadAsync(host.Channel, "rlib " + toolchain.CommitHash);
        var result = new ActionResult { ExitCode = 0, OutputFiles = { new OutputFile { Path = "libpushed.rlib", Digest = output } } };
        await Registry.ReportJobResultAsync(new ReportJobResultRequest { WorkerId = "w-" + toolchain.CommitHash, JobId = job.JobId, Result = result });

        var operations = await execute.WaitAsync(Timeout);
        Assert.Equal(job.JobId, operations.Last().Name);
        var response = operations.Last().Response.Unpack<ExecuteResponse>();
        Assert.Equal((0, false), (response.Status?.Code ?? 0, response.CachedResult));
        Assert.Equal(output, response.Result.OutputFiles.Single().Digest);
        var stages = operations.Select(o => o.Metadata.Unpack<ExecuteOperationMetadata>().Stage).ToList();
        Assert.Equal(ExecutionStage.Types.Value.Completed, stages.Last());

        Assert.Equal(1, response.Result.ExecutionMetadata.AuxiliaryMetadata.Single().Unpack<JobAttempts>().Attempts);

        var again = (await OperationsAsync(Execution.Execute(new ExecuteRequest { ActionDigest = action }))).Last().Response.Unpack<ExecuteResponse>();
        Assert.True(again.CachedResult);
        // The action cache holds the worker's result: attempts belong to one execution, not to the action.
        Assert.Empty(again.Result.ExecutionMetadata?.AuxiliaryMetadata ?? []);
        Assert.Equal(JobState.Completed, (await Admin.GetJobAsync(new GetJobRequest { JobId = job.JobId })).State);
    }

    [Fact]
    public async Task Compile_error_is_a_completed_operation_for_REAPI_and_a_failed_job_with_rustc_message_for_the_admin()
    {
        var toolchain = UniqueToolchain();
        await using var worker = await FakeWorker.StartAsync();
        var workerId = "w-" + toolchain.CommitHash;
        await worker.RegisterAsync(host.Channel, workerId, toolchain.ToPlatform());
        var action = await Blobs.UploadRustcActionAsync(host.Channel, "broken", toolchain.ToPlatform());

        var execute = OperationsAsync(Execution.Execute(new ExecuteRequest { ActionDigest = action }));
        var job = await ReceiveAsync(worker.Received.Executed.Reader);
        var stderr = await Blobs.UploadAsync(host.Channel, "error[E0308]: mismatched types\n --> src/lib.rs:1:20\n" + toolchain.CommitHash);
        await Registry.ReportJobResultAsync(new ReportJobResultRequest { WorkerId = workerId, JobId = job.JobId, Result = new ActionResult { ExitCode = 1, StderrDigest = stderr } });

        var response = (await execute.WaitAsync(Timeout)).Last().Response.Unpack<ExecuteResponse>();
        Assert.Equal(0, response.Status?.Code ?? 0);
        Assert.Equal(1, response.Result.ExitCode);
        var admin = await Admin.GetJobAsync(new GetJobRequest { JobId = job.JobId });
        Assert.Equal((JobState.Failed, 1), (admin.State, admin.ExitCode));
        Assert.StartsWith("error[E0308]: mismatched types", admin.Error);
        var miss = await Assert.ThrowsAsync<RpcException>(() =>
            new Build.Bazel.Remote.Execution.V2.ActionCache.ActionCacheClient(host.Channel).GetActionResultAsync(new GetActionResultRequest { ActionDigest = action }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, miss.StatusCode);
    }

    [Fact]
    public async Task Silent_worker_is_removed_and_its_job_runs_again_on_another_worker()
    {
        var toolchain = UniqueToolchain();
        await using var first = await FakeWorker.StartAsync();
        await first.RegisterAsync(host.Channel, "first-" + toolchain.CommitHash, toolchain.ToPlatform());
        var action = await Blobs.UploadRustcActionAsync(host.Channel, "requeued", toolchain.ToPlatform());
        var execute = OperationsAsync(Execution.Execute(new ExecuteRequest { ActionDigest = action }));
        var firstAttempt = await ReceiveAsync(first.Received.Executed.Reader);

        await first.StopHeartbeatsAsync();
        await WaitForAsync(async () => await Admin.ListWorkersAsync(new ListWorkersRequest()), w => w.Workers.All(x => x.WorkerId != "first-" + toolchain.CommitHash));
        var heartbeat = await Registry.HeartbeatAsync(new HeartbeatRequest { WorkerId = "first-" + toolchain.CommitHash });
        Assert.False(heartbeat.Registered);

        await using var second = await FakeWorker.StartAsync();
        await second.RegisterAsync(host.Channel, "second-" + toolchain.CommitHash, toolchain.ToPlatform());
        var secondAttempt = await ReceiveAsync(second.Received.Executed.Reader);
        Assert.Equal((firstAttempt.JobId, 2), (secondAttempt.JobId, secondAttempt.Attempt));

        await Registry.ReportJobResultAsync(new ReportJobResultRequest { WorkerId = "second-" + toolchain.CommitHash, JobId = secondAttempt.JobId, Result = new ActionResult() });
        var response = (await execute.WaitAsync(Timeout)).Last().Response.Unpack<ExecuteResponse>();
        var job = await Admin.GetJobAsync(new GetJobRequest { JobId = secondAttempt.JobId });
        Assert.Equal((JobState.Completed, 2, "second-" + toolchain.CommitHash), (job.State, job.Attempts, job.WorkerId));
        // The client learns the retry from the result itself, without asking the admin API.
        Assert.Equal(2, response.Result.ExecutionMetadata.AuxiliaryMetadata.Single().Unpack<JobAttempts>().Attempts);
    }

    [Fact]
    public async Task Job_past_its_timeout_is_cancelled_on_the_worker_and_fails_saying_so()
    {
        var toolchain = UniqueToolchain();
        await using var worker = await FakeWorker.StartAsync();
        await worker.RegisterAsync(host.Channel, "w-" + toolchain.CommitHash, toolchain.ToPlatform());
        var command = new Command { Arguments = { "rustc", "--crate-name", "slow", "src/lib.rs" } };
        var action = await Blobs.UploadAsync(host.Channel, new Build.Bazel.Remote.Execution.V2.Action
        {
            CommandDigest = await Blobs.UploadAsync(host.Channel, command),
            InputRootDigest = await Blobs.UploadAsync(host.Channel, new Build.Bazel.Remote.Execution.V2.Directory()),
            Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
            Platform = toolchain.ToPlatform(),
        });

        var operations = await OperationsAsync(Execution.Execute(new ExecuteRequest { ActionDigest = action }));

        var job = await ReceiveAsync(worker.Received.Executed.Reader);
        Assert.Equal(job.JobId, await ReceiveAsync(worker.Received.Cancelled.Reader));
        var response = operations.Last().Response.Unpack<ExecuteResponse>();
        Assert.Equal((int)StatusCode.DeadlineExceeded, response.Status.Code);
        Assert.Contains("exceeded its timeout of 1 s", response.Status.Message);
        Assert.Contains("exceeded its timeout of 1 s", (await Admin.GetJobAsync(new GetJobRequest { JobId = job.JobId })).Error);
    }

    [Fact]
    public async Task Identical_concurrent_executes_share_one_job()
    {
        var toolchain = UniqueToolchain();
        await using var worker = await FakeWorker.StartAsync();
        await worker.RegisterAsync(host.Channel, "w-" + toolchain.CommitHash, toolchain.ToPlatform(), slots: 4);
        var action = await Blobs.UploadRustcActionAsync(host.Channel, "shared", toolchain.ToPlatform());

        var first = OperationsAsync(Execution.Execute(new ExecuteRequest { ActionDigest = action }));
        var job = await ReceiveAsync(worker.Received.Executed.Reader);
        var secondCall = Execution.Execute(new ExecuteRequest { ActionDigest = action });
        // The second Execute is attached to the running job (its first operation names it) before the job finishes;
        // sent later, it would rightly be an action-cache hit of its own.
        using (var attached = new CancellationTokenSource(Timeout))
            Assert.True(await secondCall.ResponseStream.MoveNext(attached.Token));
        Assert.Equal(job.JobId, secondCall.ResponseStream.Current.Name);
        var second = OperationsAsync(secondCall);
        await WaitForAsync(async () => await Admin.GetJobAsync(new GetJobRequest { JobId = job.JobId }), j => j.State == JobState.Running);
        await Registry.ReportJobResultAsync(new ReportJobResultRequest { WorkerId = "w-" + toolchain.CommitHash, JobId = job.JobId, Result = new ActionResult() });

        var names = (await Task.WhenAll(first, second).WaitAsync(Timeout)).Select(ops => ops.Last().Name);
        Assert.All(names, name => Assert.Equal(job.JobId, name));
        Assert.False(worker.Received.Executed.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Waiting_execute_stream_keeps_repeating_the_queued_operation()
    {
        var action = await Blobs.UploadRustcActionAsync(host.Channel, "waiting", UniqueToolchain().ToPlatform());
        using var cancel = new CancellationTokenSource(Timeout);
        using var call = Execution.Execute(new ExecuteRequest { ActionDigest = action }, cancellationToken: cancel.Token);

        var operations = new List<Google.LongRunning.Operation>();
        while (operations.Count < 3 && await call.ResponseStream.MoveNext(cancel.Token))
            operations.Add(call.ResponseStream.Current);

        Assert.All(operations, o => Assert.Equal(ExecutionStage.Types.Value.Queued, o.Metadata.Unpack<ExecuteOperationMetadata>().Stage));
        Assert.Single(operations.Select(o => o.Name).Distinct());
    }

    [Fact]
    public async Task Registered_worker_is_listed_with_its_slots_and_toolchain()
    {
        var toolchain = UniqueToolchain();
        await using var worker = await FakeWorker.StartAsync();
        await worker.RegisterAsync(host.Channel, "listed-" + toolchain.CommitHash, toolchain.ToPlatform(), slots: 3);

        var listed = (await Admin.ListWorkersAsync(new ListWorkersRequest())).Workers.Single(w => w.WorkerId == "listed-" + toolchain.CommitHash);

        Assert.Equal((worker.Address, 3, 0), (listed.Address, listed.Slots, listed.BusySlots));
        Assert.Equal(toolchain.ToPlatform(), listed.Platform);
    }

    private static RustToolchain UniqueToolchain() => new("1.95.0", Guid.NewGuid().ToString("N")[..12], "x86_64-unknown-linux-gnu");

    private static async Task<T> ReceiveAsync<T>(System.Threading.Channels.ChannelReader<T> reader)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        return await reader.ReadAsync(cancel.Token);
    }
}
