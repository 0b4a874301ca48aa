namespace DistBuild.Scheduler.Execution;

/// <summary>Where a job is in its life: PENDING → ASSIGNED → RUNNING → COMPLETED | FAILED.</summary>
public enum JobState
{
    Pending,
    Assigned,
    Running,
    Completed,
    Failed,
}
