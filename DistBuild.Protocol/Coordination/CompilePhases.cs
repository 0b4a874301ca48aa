using System.Text.Json.Serialization;
using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Protocol.Coordination;

/// <summary>
/// Where the time of one remote compile went, in seconds: on this machine (collecting and hashing the inputs,
/// uploading what the CAS lacked, waiting for Execute, writing the outputs) and, from the worker's
/// ExecutedActionMetadata, on the worker (materialising the inputs, running rustc, uploading the outputs).
/// <see cref="Dispatch"/> is the Execute wait the worker does not account for: queueing, dispatch and transport.
/// Worker phases are differences of the worker's own clock, so they hold across machines whose clocks disagree.
/// </summary>
public sealed record CompilePhases(
    double Prepare,
    double Upload,
    double Execute,
    double Download,
    double? WorkerInputs,
    double? WorkerRustc,
    double? WorkerOutputs)
{
    [JsonIgnore]
    public double? Dispatch => WorkerInputs is null ? null : Math.Max(0, Execute - WorkerTotal);

    private double WorkerTotal => (WorkerInputs ?? 0) + (WorkerRustc ?? 0) + (WorkerOutputs ?? 0);

    /// <summary>The worker's share of an Execute, or nulls for a cache hit or a server that does not fill the metadata.</summary>
    public static (double? Inputs, double? Rustc, double? Outputs) FromWorker(ExecutedActionMetadata? metadata, bool cached)
    {
        if (cached || metadata?.InputFetchStartTimestamp is null || metadata.OutputUploadCompletedTimestamp is null)
            return (null, null, null);
        static double Between(Google.Protobuf.WellKnownTypes.Timestamp? from, Google.Protobuf.WellKnownTypes.Timestamp? to) =>
            from is null || to is null ? 0 : Math.Max(0, (to.ToDateTimeOffset() - from.ToDateTimeOffset()).TotalSeconds);
        return (
            Between(metadata.InputFetchStartTimestamp, metadata.InputFetchCompletedTimestamp),
            Between(metadata.ExecutionStartTimestamp, metadata.ExecutionCompletedTimestamp),
            Between(metadata.OutputUploadStartTimestamp, metadata.OutputUploadCompletedTimestamp));
    }
}
