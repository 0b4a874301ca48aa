using DistBuild.Protocol.Workers;

namespace DistBuild.Scheduler.Workers;

/// <summary>Calls to a worker's WorkerService; an interface so dispatch can be tested without a network.</summary>
public interface IWorkerClient
{
    Task ExecuteJobAsync(string address, ExecuteJobRequest request, CancellationToken cancellationToken);

    Task CancelJobAsync(string address, string jobId, CancellationToken cancellationToken);
}
