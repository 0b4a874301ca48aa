using DistBuild.Protocol.Workers;

namespace DistBuild.Scheduler.Execution;

/// <summary>A job the scheduler decided to send to a worker; the dispatcher makes the call and reports back.</summary>
public sealed record Assignment(string JobId, string WorkerId, string WorkerAddress, ExecuteJobRequest Request);
