using DistBuild.Scheduler.Execution;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DistBuild.Scheduler.Workers;

/// <summary>
/// Removes workers that stopped heartbeating for <see cref="SchedulerOptions.WorkerTimeout"/> and hands their
/// jobs back to the queue. A background service calls <see cref="Check"/> every second; tests call it with a fake clock.
/// </summary>
public sealed class LivenessMonitor(WorkerRegistry registry, JobScheduler scheduler, IOptions<SchedulerOptions> options, ILogger<LivenessMonitor> logger)
{
    private readonly TimeSpan _timeout = options.Value.WorkerTimeout;

    /// <summary>Removes the silent workers; returns their ids.</summary>
    public IReadOnlyList<string> Check()
    {
        var removed = registry.RemoveSilent(_timeout);
        foreach (var worker in removed)
        {
            logger.LogWarning("Worker {WorkerId} sent no heartbeat for {Timeout}; removing it and queueing its jobs again", worker.WorkerId, _timeout);
            scheduler.OnWorkerLost(worker.WorkerId, $"worker {worker.WorkerId} stopped responding (no heartbeat for {_timeout.TotalSeconds:0.###} s)");
        }
        return removed.Select(w => w.WorkerId).ToList();
    }
}
