namespace DistBuild.Scheduler.Execution;

/// <summary>A job a worker should stop running (timed out, or finished elsewhere).</summary>
public sealed record Cancellation(string JobId, string WorkerId, string WorkerAddress);
