using DistBuild.Worker.Jobs;

namespace DistBuild.Worker.Tests.Jobs;

public sealed class JobSlotsTests
{
    [Fact]
    public void A_job_beyond_the_capacity_is_refused_until_a_slot_is_released()
    {
        var slots = new JobSlots(2);
        Assert.True(slots.TryAcquire("a", out var a));
        Assert.True(slots.TryAcquire("b", out _));
        Assert.False(slots.TryAcquire("c", out _));
        Assert.Equal(0, slots.FreeSlots);

        slots.Release(a);
        Assert.Equal(1, slots.FreeSlots);
        Assert.True(slots.TryAcquire("c", out _));
        Assert.Equal(["b", "c"], slots.RunningJobIds);
    }

    [Fact]
    public void The_same_job_id_cannot_hold_two_slots()
    {
        var slots = new JobSlots(4);
        Assert.True(slots.TryAcquire("a", out _));
        Assert.False(slots.TryAcquire("a", out _));
        Assert.Equal(3, slots.FreeSlots);
    }

    [Fact]
    public void Cancelling_a_running_job_signals_it_and_unknown_ids_are_ignored()
    {
        var slots = new JobSlots(1);
        Assert.True(slots.TryAcquire("a", out var job));
        Assert.False(slots.TryCancel("nope"));
        Assert.True(slots.TryCancel("a"));
        Assert.True(job.Cancelled.IsCancellationRequested);
    }

    [Fact]
    public void Releasing_twice_frees_one_slot_only()
    {
        var slots = new JobSlots(1);
        Assert.True(slots.TryAcquire("a", out var first));
        slots.Release(first);
        Assert.True(slots.TryAcquire("a", out _));
        slots.Release(first);
        Assert.Equal(0, slots.FreeSlots);
    }

    [Fact]
    public void A_worker_needs_at_least_one_slot() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new JobSlots(0));
}
