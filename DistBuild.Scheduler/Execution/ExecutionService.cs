using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using DistBuild.Scheduler.ActionCache;
using DistBuild.Scheduler.Requests;
using Google.LongRunning;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DistBuild.Scheduler.Execution;

/// <summary>
/// REAPI Execution: an action-cache hit finishes at once; otherwise the action is checked, queued (or joined to
/// an identical job in flight) and the stream follows the job until it is done, repeating the current
/// operation every <see cref="SchedulerOptions.OperationUpdateInterval"/> so a long wait never looks hung.
/// </summary>
public sealed class ExecutionService(
    JobScheduler scheduler,
    ActionLoader loader,
    ActionCacheStore cache,
    ResultInliner inliner,
    RequestChecks checks,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<ExecutionService> logger) : Build.Bazel.Remote.Execution.V2.Execution.ExecutionBase
{
    private readonly TimeSpan _updateInterval = options.Value.OperationUpdateInterval;

    public override async Task Execute(ExecuteRequest request, IServerStreamWriter<Operation> responseStream, ServerCallContext context)
    {
        checks.Instance(request.InstanceName);
        RequestChecks.DigestFunction(request.DigestFunction);
        var actionDigest = RequestChecks.Digest(request.ActionDigest, "action_digest");
        Func<ActionResult, ActionResult> inline = result => inliner.Inline(result, request.InlineStdout, request.InlineStderr, request.InlineOutputFiles);

        if (!request.SkipCacheLookup && cache.TryGet(actionDigest) is { } cached)
        {
            var hit = scheduler.RecordCacheHit(actionDigest, cached, loader.Describe(actionDigest));
            logger.LogInformation("Action {Action} served from the action cache as job {JobId}", Digests.Format(actionDigest), hit.Id);
            await responseStream.WriteAsync(OperationMessages.For(hit, inline), context.CancellationToken);
            return;
        }

        var job = scheduler.FindActive(actionDigest);
        if (job is null)
        {
            LoadedAction action;
            try
            {
                action = loader.Load(actionDigest);
            }
            catch (MissingInputsException e)
            {
                logger.LogInformation("Action {Action} is missing {Count} input blob(s)", Digests.Format(actionDigest), e.Missing.Count);
                var status = RichStatus.MissingBlobs(e.Missing);
                await responseStream.WriteAsync(OperationMessages.Finished(Guid.NewGuid().ToString("N"), actionDigest, status), context.CancellationToken);
                return;
            }
            catch (ActionRejectedException e)
            {
                throw RequestChecks.Invalid($"action {Digests.Format(actionDigest)}: {e.Message}");
            }
            job = scheduler.Submit(action, request.ExecutionPolicy?.Priority ?? 0);
        }
        await FollowAsync(job.Id, inline, responseStream, context.CancellationToken);
    }

    public override Task WaitExecution(WaitExecutionRequest request, IServerStreamWriter<Operation> responseStream, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Name))
            throw RequestChecks.Invalid("the operation name is empty");
        if (scheduler.Get(request.Name) is null)
            throw new RpcException(new Status(StatusCode.NotFound, $"operation '{request.Name}' is not known to this scheduler; execute the action again"));
        return FollowAsync(request.Name, null, responseStream, context.CancellationToken);
    }

    private async Task FollowAsync(string jobId, Func<ActionResult, ActionResult>? inline, IServerStreamWriter<Operation> responseStream, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = scheduler.Get(jobId)
                ?? throw new RpcException(new Status(StatusCode.NotFound, $"operation '{jobId}' was forgotten; execute the action again"));
            await responseStream.WriteAsync(OperationMessages.For(job, inline), cancellationToken);
            if (job.IsDone)
                return;
            try
            {
                await job.NextChange.WaitAsync(_updateInterval, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Nothing changed: send the same stage again, as a sign of life.
            }
        }
    }
}
