using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Workers;
using Google.LongRunning;
using Google.Protobuf.WellKnownTypes;

namespace DistBuild.Scheduler.Execution;

/// <summary>google.longrunning.Operation messages as REAPI specifies them for Execute and WaitExecution.</summary>
public static class OperationMessages
{
    /// <summary>The job's current operation: metadata is ExecuteOperationMetadata, and once done, the response an ExecuteResponse.</summary>
    public static Operation For(JobSnapshot job, Func<ActionResult, ActionResult>? inline = null)
    {
        var metadata = new ExecuteOperationMetadata { Stage = job.Stage, ActionDigest = job.ActionDigest };
        if (!job.IsDone && job.EarlyOutputs.Count > 0)
        {
            // REAPI's place for what a worker knows of an execution still running; other clients skip the unknown type.
            metadata.PartialExecutionMetadata = new ExecutedActionMetadata { Worker = job.WorkerId };
            metadata.PartialExecutionMetadata.AuxiliaryMetadata.Add(Any.Pack(new EarlyOutputs { OutputFiles = { job.EarlyOutputs } }));
        }
        var operation = new Operation
        {
            Name = job.Id,
            Metadata = Any.Pack(metadata),
            Done = job.IsDone,
        };
        if (job.IsDone && job.Response is { } response)
        {
            if (inline is not null && response.Result is { } result)
            {
                response = response.Clone();
                response.Result = inline(result);
            }
            operation.Response = Any.Pack(response);
        }
        return operation;
    }

    /// <summary>A finished operation for a request that never became a job (its inputs were missing).</summary>
    public static Operation Finished(string name, Digest actionDigest, Google.Rpc.Status status) => new()
    {
        Name = name,
        Metadata = Any.Pack(new ExecuteOperationMetadata { Stage = ExecutionStage.Types.Value.Completed, ActionDigest = actionDigest }),
        Done = true,
        Response = Any.Pack(new ExecuteResponse { Status = status, Message = status.Message }),
    };
}
