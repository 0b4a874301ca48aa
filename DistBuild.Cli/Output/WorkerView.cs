using DistBuild.Protocol.Admin;

namespace DistBuild.Cli.Output;

/// <summary>A registered worker as `distbuild` shows it; its JSON form is a stable interface for scripts.</summary>
public sealed record WorkerView(
    string WorkerId,
    string Address,
    int Slots,
    int BusySlots,
    DateTimeOffset? RegisteredAt,
    DateTimeOffset? LastHeartbeat,
    IReadOnlyList<string> RunningJobIds,
    IReadOnlyDictionary<string, string> Platform)
{
    public static WorkerView From(Worker worker) => new(
        worker.WorkerId,
        worker.Address,
        worker.Slots,
        worker.BusySlots,
        Times.From(worker.RegisteredAt),
        Times.From(worker.LastHeartbeat),
        worker.RunningJobIds.ToList(),
        JobView.PlatformMap(worker.Platform));
}
