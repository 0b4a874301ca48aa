namespace DistBuild.Scheduler.Hosting;

/// <summary>When a client last connected or called, and how many client calls are open: what idle shutdown waits on.</summary>
public sealed class ActivityTracker(TimeProvider time)
{
    private int _openCalls;
    private long _lastActivityTicks = time.GetUtcNow().UtcTicks;

    public int OpenCalls => Volatile.Read(ref _openCalls);

    public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    public void CallStarted()
    {
        Interlocked.Increment(ref _openCalls);
        Touch();
    }

    public void CallEnded()
    {
        Interlocked.Decrement(ref _openCalls);
        Touch();
    }

    public void Touch() => Interlocked.Exchange(ref _lastActivityTicks, time.GetUtcNow().UtcTicks);
}
