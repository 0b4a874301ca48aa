using System.Globalization;
using System.Text.Json;
using DistBuild.Protocol.Toolchains;

namespace DistBuild.Cli.Output;

/// <summary>Prints registered workers as a table or JSON.</summary>
public static class WorkerOutput
{
    public static void WriteTable(TextWriter writer, IReadOnlyList<WorkerView> workers, DateTimeOffset now)
    {
        if (workers.Count == 0)
        {
            writer.WriteLine("No workers registered.");
            return;
        }
        TableWriter.Write(writer,
            ["WORKER", "ADDRESS", "BUSY", "TOOLCHAIN", "HEARTBEAT", "RUNNING JOBS"],
            workers.Select(worker => (IReadOnlyList<string>)
            [
                worker.WorkerId,
                worker.Address,
                string.Create(CultureInfo.InvariantCulture, $"{worker.BusySlots}/{worker.Slots}"),
                Toolchain(worker),
                Times.FormatAgo(worker.LastHeartbeat, now),
                worker.RunningJobIds.Count == 0 ? "-" : string.Join(",", worker.RunningJobIds),
            ]));
    }

    public static void WriteJson(TextWriter writer, IReadOnlyList<WorkerView> workers) =>
        writer.WriteLine(JsonSerializer.Serialize(new WorkerList(workers), CliJsonContext.Default.WorkerList));

    private static string Toolchain(WorkerView worker)
    {
        var release = worker.Platform.GetValueOrDefault(RustToolchain.ReleaseProperty);
        var host = worker.Platform.GetValueOrDefault(RustToolchain.HostProperty);
        return (release, host) switch
        {
            (null, null) => "-",
            (_, null) => $"rustc {release}",
            (null, _) => host!,
            _ => $"rustc {release} {host}",
        };
    }
}
