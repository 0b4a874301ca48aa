using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Scheduler.Execution;

/// <summary>
/// One execution of an action. Mutable, and only ever touched under the <see cref="JobScheduler"/>'s lock;
/// everyone else sees <see cref="JobSnapshot"/>s.
/// </summary>
internal sealed class Job(string id, Digest actionDigest, DateTimeOffset createdAt)
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;
    public Digest ActionDigest { get; } = actionDigest;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public LoadedAction? Action { get; init; }
    public string Description { get; init; } = "";
    public Platform Platform { get; init; } = new();
    /// <summary>REAPI ExecutionPolicy.priority: lower runs sooner.</summary>
    public int Priority { get; init; }
    public JobState State { get; set; }
    public string WorkerId { get; set; } = "";
    public int Attempts { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int ExitCode { get; set; }
    public bool Cached { get; init; }
    public string Error { get; set; } = "";
    public string WaitingReason { get; set; } = "";
    public List<string> FailedAttempts { get; } = [];
    /// <summary>Workers on which an attempt failed; a retry goes elsewhere when another worker can take it.</summary>
    public HashSet<string> FailedOn { get; } = new(StringComparer.Ordinal);
    /// <summary>Consecutive heartbeats of the holding worker that did not list the job.</summary>
    public int MissedHeartbeats { get; set; }
    public ExecuteResponse? Response { get; set; }
    /// <summary>Outputs a worker reported final while the job ran (a library's .rmeta), for the clients following it.</summary>
    public List<OutputFile> EarlyOutputs { get; } = [];

    public bool IsDone => State is JobState.Completed or JobState.Failed;

    /// <summary>Wakes everyone following the job (Execute and WaitExecution streams).</summary>
    public void Changed()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    public JobSnapshot Snapshot() => new(
        Id, ActionDigest, Description, Platform, State, WorkerId, Attempts, CreatedAt, StartedAt, FinishedAt,
        ExitCode, Cached, Error, WaitingReason, Response, EarlyOutputs.Count == 0 ? [] : [.. EarlyOutputs], _changed.Task);
}
