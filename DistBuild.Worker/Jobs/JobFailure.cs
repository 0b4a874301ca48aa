using DistBuild.Protocol.Execution;
using Grpc.Core;
using Status = Google.Rpc.Status;

namespace DistBuild.Worker.Jobs;

/// <summary>A job that could not run as asked; its status goes into the report instead of an ActionResult.</summary>
public sealed class JobFailure(Status status) : Exception(status.Message)
{
    public Status Status { get; } = status;

    public static JobFailure Of(StatusCode code, string message) => new(RichStatus.Of(code, message));
}
