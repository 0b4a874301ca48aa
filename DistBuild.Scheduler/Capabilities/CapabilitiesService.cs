using Build.Bazel.Remote.Execution.V2;
using Build.Bazel.Semver;
using DistBuild.Scheduler.Cas;
using DistBuild.Scheduler.Requests;
using Grpc.Core;

namespace DistBuild.Scheduler.Capabilities;

/// <summary>REAPI Capabilities: SHA-256 only, action cache updates allowed, execution enabled, API 2.0 to 2.3.</summary>
public sealed class CapabilitiesService(RequestChecks checks) : Build.Bazel.Remote.Execution.V2.Capabilities.CapabilitiesBase
{
    public override Task<ServerCapabilities> GetCapabilities(GetCapabilitiesRequest request, ServerCallContext context)
    {
        checks.Instance(request.InstanceName);
        var sha256 = DigestFunction.Types.Value.Sha256;
        var capabilities = new ServerCapabilities
        {
            CacheCapabilities = new CacheCapabilities
            {
                DigestFunctions = { sha256 },
                ActionCacheUpdateCapabilities = new ActionCacheUpdateCapabilities { UpdateEnabled = true },
                MaxBatchTotalSizeBytes = CasService.MaxBatchTotalSizeBytes,
                SymlinkAbsolutePathStrategy = SymlinkAbsolutePathStrategy.Types.Value.Disallowed,
            },
            ExecutionCapabilities = new ExecutionCapabilities
            {
                DigestFunction = sha256,
                DigestFunctions = { sha256 },
                ExecEnabled = true,
            },
            LowApiVersion = new SemVer { Major = 2, Minor = 0 },
            HighApiVersion = new SemVer { Major = 2, Minor = 3 },
        };
        return Task.FromResult(capabilities);
    }
}
