using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Scheduler.Workers;

/// <summary>A live worker as the registry knows it.</summary>
public sealed record RegisteredWorker(string WorkerId, string Address, int Slots, Platform Platform, DateTimeOffset RegisteredAt, DateTimeOffset LastHeartbeat)
{
    /// <summary>True when the worker offers every platform property the job asks for (a job asking for none runs anywhere).</summary>
    public bool CanRun(Platform? required) =>
        required is null || required.Properties.All(p => Platform.Properties.Any(w => w.Name == p.Name && w.Value == p.Value));
}
