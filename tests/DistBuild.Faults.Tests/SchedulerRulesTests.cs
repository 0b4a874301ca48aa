using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using DistBuild.Protocol.Toolchains;
using DistBuild.Scheduler;
using DistBuild.Scheduler.ActionCache;
using DistBuild.Scheduler.Cas;
using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Workers;
using DistBuild.Testing;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Action = Build.Bazel.Remote.Execution.V2.Action;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace DistBuild.Faults.Tests;

/// <summary>
/// The scheduler's recovery rules on a fake clock: quarantine of a worker that did not stop a job, heartbeat
/// reconciliation, refusals that no retry can fix, retries on another worker, and client cancellation.
/// </summary>
public class SchedulerRulesTests
{
    private static readonly Platform Toolchain = new RustToolchain("1.95.0", "abc123", "x86_64-unknown-linux-gnu").ToPlatform();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly WorkerRegistry _workers;
    private readonly JobScheduler _scheduler;

    public SchedulerRulesTests()
    {
        var options = new SchedulerOptions { DataDirectory = TemporaryDirectory.Create("faults-rules") };
        var cas = new ContentStore(Path.Combine(options.DataDirectory, "cas"), options.CasMaxBytes, options.MaxBlobBytes, NullLogger<ContentStore>.Instance, _time);
        var cache = new ActionCacheStore(Path.Combine(options.DataDirectory, "ac"), cas, NullLogger<ActionCacheStore>.Instance);
        _workers = new WorkerRegistry(_time, NullLogger<WorkerRegistry>.Instance);
        _scheduler = new JobScheduler(_workers, cache, cas, MsOptions.Create(options), _time, NullLogger<JobScheduler>.Instance);
    }

    private void Register(string id) => _scheduler.OnWorkerRegistered(id, _workers.Register(id, $"http://127.0.0.1:1/{id}", 1, Toolchain));

    private static LoadedAction Compile(string crate, TimeSpan? timeout = null)
    {
        var command = new Command { Arguments = { "rustc", "--crate-name", crate, "--crate-type", "lib", "src/lib.rs" } };
        var action = new Action { CommandDigest = Digests.Compute(command), InputRootDigest = Digests.Compute(new Build.Bazel.Remote.Execution.V2.Directory()), Platform = Toolchain };
        return new LoadedAction(Digests.Compute(action), action, command, Toolchain, timeout ?? TimeSpan.FromMinutes(10), JobDescription.Of(command));
    }

    /// <summary>Submits and starts a job; returns it with the worker it went to.</summary>
    private Assignment Start(string crate, TimeSpan? timeout = null)
    {
        _scheduler.Submit(Compile(crate, timeout));
        var assignment = Assert.Single(_scheduler.AssignPending());
        _scheduler.DispatchAccepted(assignment);
        return assignment;
    }

    [Fact]
    public void Worker_that_did_not_stop_a_timed_out_job_gets_no_new_job_until_a_heartbeat_shows_it_idle()
    {
        Register("w1");
        var stuck = Start("stuck", TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(6));

        var cancellation = Assert.Single(_scheduler.ExpireTimedOut());
        Assert.Equal((stuck.JobId, "w1"), (cancellation.JobId, cancellation.WorkerId));
        var failed = _scheduler.Get(stuck.JobId)!;
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Contains("rustc stuck (lib): the job exceeded its timeout of 5 s", failed.Error);

        _scheduler.Submit(Compile("next"));
        Assert.Empty(_scheduler.AssignPending());
        Assert.True(_scheduler.IsQuarantined("w1"));

        // Still busy with the job it was told to stop: still quarantined.
        _workers.Heartbeat("w1");
        Assert.Empty(_scheduler.OnHeartbeat("w1", "http://127.0.0.1:1/w1", [stuck.JobId]));
        Assert.Empty(_scheduler.AssignPending());

        // Idle at last: trusted again.
        _scheduler.OnHeartbeat("w1", "http://127.0.0.1:1/w1", []);
        Assert.False(_scheduler.IsQuarantined("w1"));
        Assert.Equal("w1", Assert.Single(_scheduler.AssignPending()).WorkerId);
    }

    [Fact]
    public void A_report_of_the_stopped_job_also_ends_the_quarantine()
    {
        Register("w1");
        var stuck = Start("stuck", TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(6));
        _scheduler.ExpireTimedOut();

        _scheduler.ReportResult("w1", stuck.JobId, null, RichStatus.Of(StatusCode.Cancelled, "the job was cancelled"));

        Assert.False(_scheduler.IsQuarantined("w1"));
        Assert.Equal(JobState.Failed, _scheduler.Get(stuck.JobId)!.State);
    }

    [Fact]
    public void Running_job_missing_from_consecutive_heartbeats_runs_again_on_another_worker()
    {
        Register("w1");
        var job = Start("lost");
        Register("w2");

        _scheduler.OnHeartbeat("w1", "http://127.0.0.1:1/w1", []);
        Assert.Equal(JobState.Running, _scheduler.Get(job.JobId)!.State);
        _scheduler.OnHeartbeat("w1", "http://127.0.0.1:1/w1", []);

        var snapshot = _scheduler.Get(job.JobId)!;
        Assert.Equal(JobState.Pending, snapshot.State);
        Assert.Contains("no longer runs the job", snapshot.WaitingReason);
        Assert.Equal("w2", Assert.Single(_scheduler.AssignPending()).WorkerId);
    }

    [Fact]
    public void Job_a_worker_runs_without_holding_it_is_cancelled_on_that_worker()
    {
        Register("w1");
        var cancellations = _scheduler.OnHeartbeat("w1", "http://127.0.0.1:1/w1", ["from-before-a-restart"]);

        var cancellation = Assert.Single(cancellations);
        Assert.Equal(("from-before-a-restart", "w1"), (cancellation.JobId, cancellation.WorkerId));
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument)]
    [InlineData(StatusCode.PermissionDenied)]
    [InlineData(StatusCode.FailedPrecondition)]
    public void Deterministic_refusal_by_a_worker_fails_the_job_at_once(StatusCode code)
    {
        Register("w1");
        Register("w2");
        var job = Start("refused");

        _scheduler.ReportResult(job.WorkerId, job.JobId, null, RichStatus.Of(code, "input directory '/': a name is '..'"));

        var snapshot = _scheduler.Get(job.JobId)!;
        Assert.Equal((JobState.Failed, 1), (snapshot.State, snapshot.Attempts));
        Assert.Contains($"rustc refused (lib): refused by worker {job.WorkerId}: {code}", snapshot.Error);
        Assert.Empty(_scheduler.AssignPending());
    }

    [Fact]
    public void Infrastructure_failure_is_retried_on_a_worker_the_job_has_not_failed_on()
    {
        Register("w1");
        Register("w2");
        var first = Start("flaky");

        _scheduler.ReportResult(first.WorkerId, first.JobId, null, RichStatus.Of(StatusCode.Unavailable, "I/O failure: No space left on device"));

        var retry = Assert.Single(_scheduler.AssignPending());
        Assert.NotEqual(first.WorkerId, retry.WorkerId);
        Assert.Equal(2, retry.Request.Attempt);
    }

    [Fact]
    public void Cancelled_operation_fails_with_CANCELLED_and_is_stopped_on_its_worker()
    {
        Register("w1");
        var job = Start("cancelled");

        Assert.True(_scheduler.Cancel(job.JobId, out var cancellation));

        Assert.Equal(("w1", job.JobId), (cancellation!.WorkerId, cancellation.JobId));
        var snapshot = _scheduler.Get(job.JobId)!;
        Assert.Equal(JobState.Failed, snapshot.State);
        Assert.Equal((int)StatusCode.Cancelled, snapshot.Response!.Status.Code);
        Assert.False(_scheduler.Cancel("no-such-operation", out _));
    }
}
