using DistBuild.Protocol.Workers;
using Grpc.Core;

namespace DistBuild.Simulation.Workers;

/// <summary>`distbuild.v1.WorkerService` of a simulated worker: the same contract as the real worker's.</summary>
public sealed class SimulatedWorkerService(SimulatedJobs jobs) : WorkerService.WorkerServiceBase
{
    public override Task<ExecuteJobResponse> ExecuteJob(ExecuteJobRequest request, ServerCallContext context)
    {
        if (!jobs.TryStart(request))
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"worker {jobs.WorkerId} has no free slot"));
        return Task.FromResult(new ExecuteJobResponse());
    }

    // Jobs are only waits; a cancelled one simply reports late and the scheduler ignores it.
    public override Task<CancelJobResponse> CancelJob(CancelJobRequest request, ServerCallContext context) =>
        Task.FromResult(new CancelJobResponse());
}
