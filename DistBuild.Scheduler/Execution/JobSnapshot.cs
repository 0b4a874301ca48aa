using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Scheduler.Execution;

/// <summary>
/// A job as it was at one moment. <see cref="NextChange"/> completes when the job changes next, so a stream
/// can wait for progress without polling.
/// </summary>
public sealed record JobSnapshot(
    string Id,
    Digest ActionDigest,
    string Description,
    Platform Platform,
    JobState State,
    string WorkerId,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int ExitCode,
    bool Cached,
    string Error,
    string WaitingReason,
    ExecuteResponse? Response,
    IReadOnlyList<OutputFile> EarlyOutputs,
    Task NextChange)
{
    public bool IsDone => State is JobState.Completed or JobState.Failed;

    /// <summary>The REAPI stage a client sees.</summary>
    public ExecutionStage.Types.Value Stage => State switch
    {
        JobState.Pending => ExecutionStage.Types.Value.Queued,
        JobState.Assigned or JobState.Running => ExecutionStage.Types.Value.Executing,
        _ => ExecutionStage.Types.Value.Completed,
    };
}
