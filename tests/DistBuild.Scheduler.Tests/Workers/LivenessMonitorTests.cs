using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Tests.Support;

namespace DistBuild.Scheduler.Tests.Workers;

public sealed class LivenessMonitorTests
{
    [Fact]
    public void Worker_without_heartbeat_for_30s_is_removed_and_its_jobs_requeued()
    {
        var parts = new SchedulerParts(); // default settings: 30 s
        parts.RegisterWorker("w1");
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        parts.Scheduler.DispatchAccepted(Assert.Single(parts.Scheduler.AssignPending()));

        parts.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(parts.Liveness.Check());
        Assert.Single(parts.Workers.List());

        parts.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["w1"], parts.Liveness.Check());

        Assert.Empty(parts.Workers.List());
        var requeued = parts.Scheduler.Get(job.Id)!;
        Assert.Equal(JobState.Pending, requeued.State);
        Assert.Equal("", requeued.WorkerId);
        Assert.Contains("stopped responding", requeued.WaitingReason);
        Assert.Empty(parts.Scheduler.AssignPending()); // no job goes to the removed worker
    }

    [Fact]
    public void Heartbeats_keep_a_worker_registered()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1");

        for (var i = 0; i < 10; i++)
        {
            parts.Time.Advance(TimeSpan.FromSeconds(10));
            Assert.True(parts.Workers.Heartbeat("w1"));
            Assert.Empty(parts.Liveness.Check());
        }
    }

    [Fact]
    public void Removed_worker_is_told_to_register_again()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1");
        parts.Time.Advance(TimeSpan.FromSeconds(31));
        parts.Liveness.Check();

        Assert.False(parts.Workers.Heartbeat("w1"));
    }

    [Fact]
    public void Job_whose_workers_keep_disappearing_fails_after_max_attempts()
    {
        var parts = new SchedulerParts(new SchedulerOptions { MaxAttempts = 3 });
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            parts.RegisterWorker($"w{attempt}");
            parts.Scheduler.DispatchAccepted(Assert.Single(parts.Scheduler.AssignPending()));
            parts.Time.Advance(TimeSpan.FromSeconds(30));
            parts.Liveness.Check();
        }

        var failed = parts.Scheduler.Get(job.Id)!;
        Assert.Equal((JobState.Failed, 3), (failed.State, failed.Attempts));
        Assert.Contains("gave up after 3 attempt(s)", failed.Error);
        Assert.Contains("attempt 3 on worker w3", failed.Error);
    }

    [Fact]
    public void Worker_that_registers_again_loses_the_jobs_it_held()
    {
        var parts = new SchedulerParts();
        parts.RegisterWorker("w1");
        var job = parts.Scheduler.Submit(SchedulerParts.Action());
        parts.Scheduler.AssignPending();

        parts.RegisterWorker("w1");

        Assert.Equal(JobState.Pending, parts.Scheduler.Get(job.Id)!.State);
        Assert.Equal(2, Assert.Single(parts.Scheduler.AssignPending()).Request.Attempt);
    }
}
