using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Execution;
using DistBuild.Protocol.Toolchains;
using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Tests.Support;
using Grpc.Core;
using Google.Protobuf;

namespace DistBuild.Scheduler.Tests.Execution;

public sealed class JobSchedulerTests
{
    [Fact]
    public void Job_goes_from_pending_to_assigned_to_running_to_completed_and_is_cached()
    {
        var parts = new SchedulerParts();
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        Assert.Equal(JobState.Pending, job.State);
        Assert.Equal("rustc hello (lib)", job.Description);

        parts.RegisterWorker("w1");
        var assignment = Assert.Single(parts.Scheduler.AssignPending());
        Assert.Equal(("w1", 1), (assignment.WorkerId, assignment.Request.Attempt));
        Assert.Equal(JobState.Assigned, parts.Scheduler.Get(job.Id)!.State);

        parts.Scheduler.DispatchAccepted(assignment);
        Assert.Equal(JobState.Running, parts.Scheduler.Get(job.Id)!.State);

        var result = new ActionResult { ExitCode = 0, OutputFiles = { new OutputFile { Path = "libhello.rlib", Digest = parts.Put("rlib") } } };
        parts.Scheduler.ReportResult("w1", job.Id, result, null);

        var done = parts.Scheduler.Get(job.Id)!;
        Assert.Equal(JobState.Completed, done.State);
        Assert.Equal("w1", done.WorkerId);
        Assert.Equal(1, done.Attempts);
        Assert.NotNull(done.StartedAt);
        Assert.NotNull(done.FinishedAt);
        // The client's copy says how many starts it took; the action cache keeps the worker's result as it came.
        var answered = done.Response!.Result.Clone();
        Assert.Equal(1, answered.ExecutionMetadata.AuxiliaryMetadata.Single().Unpack<DistBuild.Protocol.Admin.JobAttempts>().Attempts);
        answered.ExecutionMetadata = null;
        Assert.Equal(result, answered);
        Assert.Equal(result, parts.Cache.TryGet(job.ActionDigest));
        Assert.Equal(0, parts.Scheduler.UnfinishedCount);
    }

    [Fact]
    public void Compile_error_fails_the_job_with_rustc_stderr_and_is_not_cached()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1");
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        parts.Scheduler.AssignPending();
        var diagnostic = """{"$message_type":"diagnostic","message":"mismatched types","rendered":"error[E0308]: mismatched types\n --> src/lib.rs:1:20\n"}""";
        var stderr = parts.Put(diagnostic + "\nerror: aborting due to 1 previous error\n");

        parts.Scheduler.ReportResult("w1", job.Id, new ActionResult { ExitCode = 1, StderrDigest = stderr }, null);

        var done = parts.Scheduler.Get(job.Id)!;
        Assert.Equal(JobState.Failed, done.State);
        Assert.Equal(1, done.ExitCode);
        Assert.StartsWith("error[E0308]: mismatched types\n --> src/lib.rs:1:20", done.Error);
        Assert.Contains("aborting due to 1 previous error", done.Error);
        // For REAPI it is a normal result: a COMPLETED operation with exit code 1 and an OK status.
        Assert.Equal(0, done.Response!.Status.Code);
        Assert.Equal(1, done.Response.Result.ExitCode);
        Assert.Null(parts.Cache.TryGet(job.ActionDigest));
    }

    [Fact]
    public void Identical_actions_in_flight_share_one_job()
    {
        var parts = new SchedulerParts();

        var first = parts.Scheduler.Submit(SchedulerParts.Action("same"));
        var second = parts.Scheduler.Submit(SchedulerParts.Action("same"));
        var other = parts.Scheduler.Submit(SchedulerParts.Action("other"));

        Assert.Equal(first.Id, second.Id);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal(first.Id, parts.Scheduler.FindActive(first.ActionDigest)!.Id);
    }

    [Fact]
    public void Do_not_cache_actions_are_never_merged()
    {
        var parts = new SchedulerParts();

        var first = parts.Scheduler.Submit(SchedulerParts.Action("same", doNotCache: true));
        var second = parts.Scheduler.Submit(SchedulerParts.Action("same", doNotCache: true));

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(2, parts.Scheduler.UnfinishedCount);
    }

    [Fact]
    public void Job_no_worker_can_serve_stays_pending_and_names_the_toolchain_it_needs()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("old-rustc", platform: new RustToolchain("1.80.0", "fff", "x86_64-unknown-linux-gnu").ToPlatform());
        var job = parts.Scheduler.Submit(SchedulerParts.Action());

        Assert.Empty(parts.Scheduler.AssignPending());

        var pending = parts.Scheduler.Get(job.Id)!;
        Assert.Equal(JobState.Pending, pending.State);
        Assert.Contains("no registered worker has the toolchain", pending.WaitingReason);
        Assert.Contains(RustToolchain.Describe(SchedulerParts.Toolchain.ToPlatform()), pending.WaitingReason);
    }

    [Fact]
    public void Job_queued_while_no_worker_is_up_starts_when_one_registers()
    {
        var parts = new SchedulerParts();
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        Assert.Empty(parts.Scheduler.AssignPending());
        Assert.Contains("no worker is registered", parts.Scheduler.Get(job.Id)!.WaitingReason);

        parts.RegisterWorker("late");

        Assert.Equal("late", Assert.Single(parts.Scheduler.AssignPending()).WorkerId);
    }

    [Fact]
    public void Dispatch_goes_only_to_workers_whose_platform_includes_the_jobs()
    {
        var parts = new SchedulerParts();
        var wanted = SchedulerParts.Toolchain.ToPlatform();
        var superset = wanted.Clone();
        superset.Properties.Add(new Platform.Types.Property { Name = "pool", Value = "fast" });
        parts.RegisterWorker("other-host", platform: new RustToolchain("1.95.0", "abc123", "aarch64-apple-darwin").ToPlatform());
        parts.RegisterWorker("match", platform: superset);
        parts.Scheduler.Submit(SchedulerParts.Action("a"));
        parts.Scheduler.Submit(SchedulerParts.Action("b", platform: new Platform()));

        var assignments = parts.Scheduler.AssignPending();

        Assert.Equal("match", assignments[0].WorkerId);
        Assert.Equal(2, assignments.Count); // the job asking for nothing runs anywhere
    }

    [Fact]
    public void Dispatch_never_gives_a_worker_more_jobs_than_slots()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1", slots: 2);
        for (var i = 0; i < 5; i++)
            parts.Scheduler.Submit(SchedulerParts.Action($"crate{i}"));

        Assert.Equal(2, parts.Scheduler.AssignPending().Count);
        Assert.Empty(parts.Scheduler.AssignPending());
        Assert.Equal(2, parts.Scheduler.JobsOn("w1").Count);
        Assert.Contains("free slot", parts.Scheduler.List(10).First(j => j.State == JobState.Pending).WaitingReason);
    }

    [Fact]
    public void Lower_priority_value_is_dispatched_first_and_equal_priorities_first_come_first_served()
    {
        var parts = new SchedulerParts();
        var late = parts.Scheduler.Submit(SchedulerParts.Action("leaf"), priority: 5);
        var firstUrgent = parts.Scheduler.Submit(SchedulerParts.Action("critical1"), priority: -3);
        var plain = parts.Scheduler.Submit(SchedulerParts.Action("plain"));
        var secondUrgent = parts.Scheduler.Submit(SchedulerParts.Action("critical2"), priority: -3);
        parts.RegisterWorker("w1", slots: 1);

        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var assignment = Assert.Single(parts.Scheduler.AssignPending());
            order.Add(assignment.JobId);
            parts.Scheduler.DispatchAccepted(assignment);
            parts.Scheduler.ReportResult("w1", assignment.JobId, new ActionResult { ExitCode = 0 }, null);
        }

        Assert.Equal([firstUrgent.Id, secondUrgent.Id, plain.Id, late.Id], order);
    }

    [Fact]
    public void Job_a_busy_worker_refuses_goes_back_to_the_queue_without_counting_an_attempt()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1");
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        var assignment = Assert.Single(parts.Scheduler.AssignPending());

        parts.Scheduler.DispatchRefused(assignment, "it has no free slot");

        var pending = parts.Scheduler.Get(job.Id)!;
        Assert.Equal((JobState.Pending, 0), (pending.State, pending.Attempts));
        Assert.Empty(parts.Scheduler.AssignPending()); // passed over for a moment
        parts.Time.Advance(JobScheduler.RefusalBackoff);
        Assert.Equal(1, Assert.Single(parts.Scheduler.AssignPending()).Request.Attempt);
    }

    [Fact]
    public void Worker_error_requeues_the_job_until_attempts_run_out_then_fails_naming_each_attempt()
    {
        var parts = new SchedulerParts(new SchedulerOptions { MaxAttempts = 2 });
        parts.RegisterWorker("w1");
        var job = parts.Scheduler.Submit(SchedulerParts.Action());

        parts.Scheduler.AssignPending();
        parts.Scheduler.ReportResult("w1", job.Id, null, RichStatus.Of(StatusCode.Internal, "disk full"));
        Assert.Equal(JobState.Pending, parts.Scheduler.Get(job.Id)!.State);

        parts.Scheduler.AssignPending();
        parts.Scheduler.ReportResult("w1", job.Id, null, RichStatus.Of(StatusCode.Internal, "disk still full"));

        var failed = parts.Scheduler.Get(job.Id)!;
        Assert.Equal((JobState.Failed, 2), (failed.State, failed.Attempts));
        Assert.Contains("attempt 1 on worker w1: Internal: disk full", failed.Error);
        Assert.Contains("attempt 2 on worker w1: Internal: disk still full", failed.Error);
        Assert.Equal((int)StatusCode.Internal, failed.Response!.Status.Code);
    }

    [Fact]
    public void Worker_missing_an_input_fails_the_job_at_once_so_the_client_uploads_it()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1");
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        parts.Scheduler.AssignPending();
        var gone = DistBuild.Protocol.Digests.Digests.Compute("evicted"u8);

        parts.Scheduler.ReportResult("w1", job.Id, null, RichStatus.MissingBlobs([gone]));

        var failed = parts.Scheduler.Get(job.Id)!;
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal([gone], RemoteExecutor.MissingBlobs(failed.Response!.Status));
    }

    [Fact]
    public void Job_past_its_timeout_fails_with_a_message_saying_so_and_is_cancelled_on_the_worker()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1");
        var job = parts.Scheduler.Submit(SchedulerParts.Action(timeout: TimeSpan.FromSeconds(5)));
        parts.Scheduler.DispatchAccepted(Assert.Single(parts.Scheduler.AssignPending()));

        parts.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(parts.Scheduler.ExpireTimedOut());
        parts.Time.Advance(TimeSpan.FromSeconds(1));
        var cancellation = Assert.Single(parts.Scheduler.ExpireTimedOut());

        Assert.Equal((job.Id, "w1"), (cancellation.JobId, cancellation.WorkerId));
        var failed = parts.Scheduler.Get(job.Id)!;
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Contains("exceeded its timeout of 5 s", failed.Error);
        Assert.Equal((int)StatusCode.DeadlineExceeded, failed.Response!.Status.Code);
    }

    [Fact]
    public void Timeout_enforced_by_the_worker_fails_the_job_without_retrying()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1");
        var job = parts.Scheduler.Submit(SchedulerParts.Action(timeout: TimeSpan.FromSeconds(30)));
        parts.Scheduler.AssignPending();

        parts.Scheduler.ReportResult("w1", job.Id, null, RichStatus.Of(StatusCode.DeadlineExceeded, "killed after 30 s"));

        var failed = parts.Scheduler.Get(job.Id)!;
        Assert.Equal((JobState.Failed, 1), (failed.State, failed.Attempts));
        Assert.Contains("exceeded its timeout of 30 s", failed.Error);
    }

    [Fact]
    public void Late_result_from_a_worker_that_lost_the_job_still_completes_it_and_cancels_the_new_holder()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1");
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        parts.Scheduler.AssignPending();
        parts.Time.Advance(parts.Options.WorkerTimeout);
        parts.Liveness.Check();
        parts.RegisterWorker("w2");
        Assert.Equal("w2", Assert.Single(parts.Scheduler.AssignPending()).WorkerId);

        var cancellation = parts.Scheduler.ReportResult("w1", job.Id, new ActionResult { ExitCode = 0 }, null);

        Assert.Equal("w2", cancellation!.WorkerId);
        Assert.Equal(JobState.Completed, parts.Scheduler.Get(job.Id)!.State);
    }

    [Fact]
    public void Streams_following_a_job_are_woken_when_it_changes()
    {
        var parts = new SchedulerParts();
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        Assert.False(job.NextChange.IsCompleted);

        parts.RegisterWorker("w1");
        parts.Scheduler.AssignPending();

        Assert.True(job.NextChange.IsCompleted);
    }

    [Fact]
    public void Early_outputs_of_the_holding_worker_reach_the_jobs_operation_once_each_and_only_while_it_runs()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1");
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        parts.Scheduler.DispatchAccepted(Assert.Single(parts.Scheduler.AssignPending()));
        var rmeta = new OutputFile { Path = "libhello.rmeta", Digest = parts.Put("rmeta") };
        var running = parts.Scheduler.Get(job.Id)!;

        Assert.False(parts.Scheduler.ReportEarlyOutputs("w2", job.Id, [rmeta]));
        Assert.True(parts.Scheduler.ReportEarlyOutputs("w1", job.Id, [rmeta]));
        Assert.True(running.NextChange.IsCompleted);
        Assert.True(parts.Scheduler.ReportEarlyOutputs("w1", job.Id, [rmeta]));
        var error = Assert.Throws<ArgumentException>(() => parts.Scheduler.ReportEarlyOutputs("w1", job.Id, [new OutputFile { Path = "../elsewhere", Digest = rmeta.Digest }]));
        Assert.Contains("'../elsewhere' is not an output path", error.Message);

        var metadata = OperationMessages.For(parts.Scheduler.Get(job.Id)!).Metadata.Unpack<ExecuteOperationMetadata>();
        Assert.Equal(ExecutionStage.Types.Value.Executing, metadata.Stage);
        Assert.Equal("w1", metadata.PartialExecutionMetadata.Worker);
        Assert.Equal([rmeta], RemoteExecutor.EarlyOutputsIn(metadata));

        parts.Scheduler.ReportResult("w1", job.Id, new ActionResult { ExitCode = 0, OutputFiles = { rmeta } }, null);
        var done = OperationMessages.For(parts.Scheduler.Get(job.Id)!).Metadata.Unpack<ExecuteOperationMetadata>();
        Assert.Null(done.PartialExecutionMetadata);
        Assert.False(parts.Scheduler.ReportEarlyOutputs("w1", job.Id, [rmeta]));
    }

    [Fact]
    public void Cache_hit_is_recorded_as_a_finished_cached_job()
    {
        var parts = new SchedulerParts();
        var action = SchedulerParts.Action();

        var hit = parts.Scheduler.RecordCacheHit(action.ActionDigest, new ActionResult(), "rustc hello (lib)");

        Assert.True(hit.Cached);
        Assert.Equal(JobState.Completed, hit.State);
        Assert.True(hit.Response!.CachedResult);
        Assert.Equal(hit.Id, parts.Scheduler.List(1).Single().Id);
    }

    [Fact]
    public void Jobs_are_listed_newest_first_and_old_finished_ones_are_forgotten()
    {
        var parts = new SchedulerParts(new SchedulerOptions { JobHistory = 2 });
        var ids = Enumerable.Range(0, 3).Select(i => parts.Scheduler.RecordCacheHit(SchedulerParts.Action($"c{i}").ActionDigest, new ActionResult(), $"c{i}").Id).ToList();

        Assert.Equal([ids[2], ids[1]], parts.Scheduler.List(10).Select(j => j.Id));
        Assert.Null(parts.Scheduler.Get(ids[0]));
    }
}
