using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Scheduler.Requests;
using Grpc.Core;

namespace DistBuild.Scheduler.ActionCache;

/// <summary>REAPI ActionCache over <see cref="ActionCacheStore"/>; a miss is NOT_FOUND.</summary>
public sealed class ActionCacheService(ActionCacheStore cache, ResultInliner inliner, RequestChecks checks) : Build.Bazel.Remote.Execution.V2.ActionCache.ActionCacheBase
{
    public override Task<ActionResult> GetActionResult(GetActionResultRequest request, ServerCallContext context)
    {
        checks.Instance(request.InstanceName);
        RequestChecks.DigestFunction(request.DigestFunction);
        var digest = RequestChecks.Digest(request.ActionDigest, "action_digest");
        var result = cache.TryGet(digest)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"action {Digests.Format(digest)} is not in the action cache"));
        return Task.FromResult(inliner.Inline(result, request.InlineStdout, request.InlineStderr, request.InlineOutputFiles));
    }

    public override Task<ActionResult> UpdateActionResult(UpdateActionResultRequest request, ServerCallContext context)
    {
        checks.Instance(request.InstanceName);
        RequestChecks.DigestFunction(request.DigestFunction);
        var digest = RequestChecks.Digest(request.ActionDigest, "action_digest");
        var result = request.ActionResult ?? throw RequestChecks.Invalid("action_result is missing");
        foreach (var blob in ActionCacheStore.ReferencedBlobs(result))
            RequestChecks.Digest(blob, "action_result");
        cache.Put(digest, result);
        return Task.FromResult(result);
    }
}
