using DistBuild.Protocol.Workers;
using Grpc.Core;

namespace DistBuild.Worker.Jobs;

/// <summary>`distbuild.v1.WorkerService`: takes jobs pushed by the scheduler and cancels them on request.</summary>
public sealed class WorkerJobService(JobDispatcher dispatcher) : WorkerService.WorkerServiceBase
{
    public override Task<ExecuteJobResponse> ExecuteJob(ExecuteJobRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.JobId))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "job_id is empty"));
        // Everything else about the job is checked when it runs, and reported through ReportJobResult: the scheduler
        // already refused hostile actions at Execute, so a refusal here is rare and follows the ordinary report path.
        if (!dispatcher.TryStart(request))
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"all {dispatcher.Slots.Capacity} slots of this worker are busy"));
        return Task.FromResult(new ExecuteJobResponse());
    }

    /// <summary>Answers once the job's processes are gone (or after a bounded wait), so the caller may reuse the slot.</summary>
    public override async Task<CancelJobResponse> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.JobId))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "job_id is empty"));
        // Cancelling a job this worker does not run (finished, never started) is a no-op, so a repeated cancel is harmless.
        await dispatcher.CancelAsync(request.JobId, TimeSpan.FromSeconds(10));
        return new CancelJobResponse();
    }
}
