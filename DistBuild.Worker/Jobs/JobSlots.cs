using System.Diagnostics.CodeAnalysis;

namespace DistBuild.Worker.Jobs;

/// <summary>
/// The worker's job slots: a job runs only while it holds one, and a running job can be cancelled by id.
/// The scheduler counts slots too, but this is the worker's own word, so an over-eager scheduler gets
/// RESOURCE_EXHAUSTED instead of an overloaded machine.
/// </summary>
public sealed class JobSlots(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RunningJob> _running = new(StringComparer.Ordinal);

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), "a worker needs at least one slot");

    public int FreeSlots
    {
        get
        {
            lock (_lock)
                return Capacity - _running.Count;
        }
    }

    public IReadOnlyList<string> RunningJobIds
    {
        get
        {
            lock (_lock)
                return _running.Keys.Order(StringComparer.Ordinal).ToList();
        }
    }

    public bool IsRunning(string jobId)
    {
        lock (_lock)
            return _running.ContainsKey(jobId);
    }

    /// <summary>Takes a slot for the job; false when every slot is taken or the job already holds one.</summary>
    public bool TryAcquire(string jobId, [NotNullWhen(true)] out RunningJob? job)
    {
        lock (_lock)
        {
            if (_running.Count >= Capacity || _running.ContainsKey(jobId))
            {
                job = null;
                return false;
            }
            job = new RunningJob(jobId);
            _running[jobId] = job;
            return true;
        }
    }

    public void Release(RunningJob job)
    {
        lock (_lock)
        {
            if (_running.TryGetValue(job.JobId, out var current) && ReferenceEquals(current, job))
                _running.Remove(job.JobId);
        }
        job.Dispose();
    }

    /// <summary>Cancels a running job; false when no job of that id runs (already finished, or never here).</summary>
    public bool TryCancel(string jobId)
    {
        RunningJob? job;
        lock (_lock)
            _running.TryGetValue(jobId, out job);
        if (job is null)
            return false;
        job.Cancel();
        return true;
    }

    /// <summary>Cancels every running job (the host is stopping).</summary>
    public void CancelAll()
    {
        List<RunningJob> jobs;
        lock (_lock)
            jobs = _running.Values.ToList();
        foreach (var job in jobs)
            job.Cancel();
    }
}
