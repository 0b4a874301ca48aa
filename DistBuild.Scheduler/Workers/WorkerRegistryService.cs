using DistBuild.Protocol.Workers;
using DistBuild.Scheduler.Cas;
using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Requests;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DistBuild.Scheduler.Workers;

/// <summary>distbuild.v1.WorkerRegistry: workers register, heartbeat and report job results.</summary>
public sealed class WorkerRegistryService(
    WorkerRegistry registry,
    JobScheduler scheduler,
    JobDispatcher dispatcher,
    ContentStore cas,
    IOptions<SchedulerOptions> options) : Protocol.Workers.WorkerRegistry.WorkerRegistryBase
{
    public override Task<RegisterWorkerResponse> RegisterWorker(RegisterWorkerRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.WorkerId))
            throw RequestChecks.Invalid("worker_id is empty");
        if (!Uri.TryCreate(request.Address, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            throw RequestChecks.Invalid($"address '{request.Address}' is not an http:// or https:// URL the scheduler can call");
        if (request.Slots < 1)
            throw RequestChecks.Invalid($"slots must be at least 1 (is {request.Slots})");
        var wasRegistered = registry.Register(request.WorkerId, request.Address, request.Slots, request.Platform ?? new());
        scheduler.OnWorkerRegistered(request.WorkerId, wasRegistered);
        return Task.FromResult(new RegisterWorkerResponse { HeartbeatInterval = Duration.FromTimeSpan(options.Value.HeartbeatInterval) });
    }

    public override Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.WorkerId))
            throw RequestChecks.Invalid("worker_id is empty");
        var registered = registry.Heartbeat(request.WorkerId);
        if (registered && request.ReportsRunningJobs && registry.Get(request.WorkerId) is { } worker)
        {
            // Jobs the worker runs but should not (finished elsewhere, cancelled, unknown after a restart) are stopped
            // in the background: the heartbeat answers at once.
            foreach (var cancellation in scheduler.OnHeartbeat(worker.WorkerId, worker.Address, request.RunningJobIds))
                _ = dispatcher.CancelAsync(cancellation, CancellationToken.None);
        }
        return Task.FromResult(new HeartbeatResponse { Registered = registered });
    }

    public override async Task<ReportJobResultResponse> ReportJobResult(ReportJobResultRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.WorkerId))
            throw RequestChecks.Invalid("worker_id is empty");
        if (string.IsNullOrEmpty(request.JobId))
            throw RequestChecks.Invalid("job_id is empty");
        if (request.Result is null && (request.Status is null || request.Status.Code == 0))
            throw RequestChecks.Invalid("a report needs a result or a non-OK status");
        // A job that finished or was reassigned is known and its late report ignored; one never seen (or long forgotten) is NOT_FOUND.
        if (scheduler.Get(request.JobId) is null)
            throw new RpcException(new Status(StatusCode.NotFound, $"job '{request.JobId}' is not known to this scheduler (never assigned, or finished long ago); the report was ignored"));
        if (scheduler.ReportResult(request.WorkerId, request.JobId, request.Result, request.Status) is { } cancellation)
            await dispatcher.CancelAsync(cancellation, context.CancellationToken);
        return new ReportJobResultResponse();
    }

    public override Task<ReportEarlyOutputsResponse> ReportEarlyOutputs(ReportEarlyOutputsRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.WorkerId))
            throw RequestChecks.Invalid("worker_id is empty");
        if (string.IsNullOrEmpty(request.JobId))
            throw RequestChecks.Invalid("job_id is empty");
        if (request.OutputFiles.Count == 0)
            throw RequestChecks.Invalid("a report of early outputs needs at least one output file");
        foreach (var output in request.OutputFiles)
        {
            var digest = RequestChecks.Digest(output.Digest, $"digest of early output '{output.Path}'");
            // A client acts on an early output at once: its blob must be there to fetch.
            if (!cas.Contains(digest))
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"early output '{output.Path}' is not in the CAS; upload its blob first"));
        }
        if (scheduler.Get(request.JobId) is null)
            throw new RpcException(new Status(StatusCode.NotFound, $"job '{request.JobId}' is not known to this scheduler; the report was ignored"));
        try
        {
            // A worker that no longer holds the job (lost, or the job finished) is told nothing: the report simply no longer matters.
            scheduler.ReportEarlyOutputs(request.WorkerId, request.JobId, request.OutputFiles);
        }
        catch (ArgumentException e)
        {
            throw RequestChecks.Invalid(e.Message);
        }
        return Task.FromResult(new ReportEarlyOutputsResponse());
    }
}
