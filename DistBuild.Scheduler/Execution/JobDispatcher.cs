using DistBuild.Scheduler.Workers;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace DistBuild.Scheduler.Execution;

/// <summary>
/// Pushes assigned jobs to their workers and sends cancellations. A worker that is full (RESOURCE_EXHAUSTED)
/// or unreachable hands the job back to the queue for another worker; any other refusal counts as a failed attempt.
/// </summary>
public sealed class JobDispatcher(JobScheduler scheduler, IWorkerClient workers, ILogger<JobDispatcher> logger)
{
    /// <summary>Assigns what can be assigned and sends every assignment; returns when all calls are answered.</summary>
    public async Task DispatchAsync(CancellationToken cancellationToken)
    {
        var assignments = scheduler.AssignPending();
        await Task.WhenAll(assignments.Select(a => SendAsync(a, cancellationToken)));
    }

    public async Task SendAsync(Assignment assignment, CancellationToken cancellationToken)
    {
        try
        {
            await workers.ExecuteJobAsync(assignment.WorkerAddress, assignment.Request, cancellationToken);
            scheduler.DispatchAccepted(assignment);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.ResourceExhausted)
        {
            scheduler.DispatchRefused(assignment, "it has no free slot");
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Unknown)
        {
            scheduler.DispatchRefused(assignment, $"unreachable at {assignment.WorkerAddress} ({e.StatusCode}: {e.Status.Detail})");
        }
        catch (RpcException e)
        {
            // The worker answered but refused the job: that attempt failed, like a failure it reports later.
            scheduler.ReportResult(assignment.WorkerId, assignment.JobId, null, new Google.Rpc.Status { Code = (int)e.StatusCode, Message = e.Status.Detail });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            scheduler.DispatchRefused(assignment, $"unreachable at {assignment.WorkerAddress} ({e.Message})");
        }
    }

    public async Task CancelAsync(Cancellation cancellation, CancellationToken cancellationToken)
    {
        try
        {
            await workers.CancelJobAsync(cancellation.WorkerAddress, cancellation.JobId, cancellationToken);
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or IOException)
        {
            // The worker is gone or busy; it will report (and be ignored) or be removed by the liveness check.
            logger.LogInformation("Could not cancel job {JobId} on worker {WorkerId}: {Error}", cancellation.JobId, cancellation.WorkerId, e.Message);
        }
    }
}
