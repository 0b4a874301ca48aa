using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DistBuild.Scheduler.Requests;

/// <summary>The checks every REAPI request goes through: the instance name, the digest function and the form of each digest.</summary>
public sealed class RequestChecks(IOptions<SchedulerOptions> options)
{
    private readonly string _instanceName = options.Value.InstanceName;

    public void Instance(string instanceName)
    {
        if (instanceName != _instanceName)
            throw Invalid($"unknown instance name '{instanceName}': this scheduler serves only the instance '{_instanceName}'");
    }

    public static void DigestFunction(DigestFunction.Types.Value function)
    {
        if (function is not (Build.Bazel.Remote.Execution.V2.DigestFunction.Types.Value.Unknown or Build.Bazel.Remote.Execution.V2.DigestFunction.Types.Value.Sha256))
            throw Invalid($"digest function {function} is not supported: this scheduler uses SHA256 only");
    }

    /// <summary>Throws INVALID_ARGUMENT naming <paramref name="what"/> when the digest is missing or malformed.</summary>
    public static Digest Digest(Digest? digest, string what)
    {
        if (!Digests.TryValidate(digest, out var error))
            throw Invalid($"{what}: {error}");
        return digest!;
    }

    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
