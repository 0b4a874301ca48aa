using DistBuild.Scheduler.Requests;
using Google.LongRunning;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DistBuild.Scheduler.Execution;

/// <summary>
/// google.longrunning.Operations, the part REAPI clients use: CancelOperation stops an execution (Ctrl+C of a
/// build). The job fails with CANCELLED, its Execute and WaitExecution streams end with that, and its worker is told
/// to stop. A client that merely disconnects does not cancel: `distbuild job submit` relies on jobs outliving it.
/// </summary>
public sealed class OperationsService(JobScheduler scheduler, JobDispatcher dispatcher, ILogger<OperationsService> logger) : Operations.OperationsBase
{
    public override async Task<Empty> CancelOperation(CancelOperationRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Name))
            throw RequestChecks.Invalid("name is empty: pass the operation name Execute returned");
        if (!scheduler.Cancel(request.Name, out var cancellation))
            throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, $"operation '{request.Name}' is not known to this scheduler"));
        if (cancellation is not null)
        {
            logger.LogInformation("Stopping job {JobId} on worker {WorkerId}", cancellation.JobId, cancellation.WorkerId);
            // The caller need not wait for the worker: the operation is already CANCELLED.
            _ = dispatcher.CancelAsync(cancellation, CancellationToken.None);
        }
        return new Empty();
    }
}
