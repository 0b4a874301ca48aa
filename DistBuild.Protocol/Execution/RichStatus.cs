using Build.Bazel.Remote.Execution.V2;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Status = Google.Rpc.Status;

namespace DistBuild.Protocol.Execution;

/// <summary>Builds google.rpc.Status values with the details REAPI specifies, for servers to return.</summary>
public static class RichStatus
{
    /// <summary>FAILED_PRECONDITION naming each missing blob as `blobs/HASH/SIZE`, as the standard specifies.</summary>
    public static Status MissingBlobs(IEnumerable<Digest> missing)
    {
        var failure = new PreconditionFailure();
        foreach (var digest in missing)
        {
            failure.Violations.Add(new PreconditionFailure.Types.Violation
            {
                Type = "MISSING",
                Subject = $"blobs/{digest.Hash}/{digest.SizeBytes}",
                Description = "the blob is not in the CAS",
            });
        }
        var status = new Status
        {
            Code = (int)StatusCode.FailedPrecondition,
            Message = $"{failure.Violations.Count} input blob(s) are missing from the CAS; upload them and execute again",
        };
        status.Details.Add(Any.Pack(failure));
        return status;
    }

    public static Status Of(StatusCode code, string message) => new() { Code = (int)code, Message = message };

    /// <summary>An RpcException whose trailers carry the rich status, so clients can read its details.</summary>
    public static RpcException ToException(Status status)
    {
        var trailers = new Metadata { { "grpc-status-details-bin", status.ToByteArray() } };
        return new RpcException(new Grpc.Core.Status((StatusCode)status.Code, status.Message), trailers);
    }
}
