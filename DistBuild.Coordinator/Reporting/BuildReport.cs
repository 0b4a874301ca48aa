using System.Globalization;
using System.Text.Json;
using DistBuild.Protocol.Coordination;

namespace DistBuild.Coordinator.Reporting;

/// <summary>
/// What one DistBuild build did: every rustc invocation (remote, served from the cache, or local) with its worker,
/// exit code and time, and the totals. Written as JSON to DistBuildReportPath and summarised in one log line.
/// </summary>
public sealed record BuildReport(
    string Mode,
    string? Scheduler,
    bool Success,
    double Seconds,
    IReadOnlyList<InvocationRecord> Invocations)
{
    public int Remote => Invocations.Count(i => i.Kind == "remote");
    public int Cached => Invocations.Count(i => i.Kind == "cached");
    public int Local => Invocations.Count(i => i.Kind == "local");
    public int Failed => Invocations.Count(i => i.ExitCode != 0);
    public int Retries => Invocations.Sum(i => i.Retries);
    public int Workers => Invocations.Where(i => i.Kind == "remote" && i.Worker is not null).Select(i => i.Worker).Distinct().Count();

    /// <summary>One line for the build log, e.g. "DistBuild: 12 crates, 9 remote on 1 worker, 3 cached, 0 local in 4.2 s".</summary>
    public string Summary()
    {
        var seconds = Seconds.ToString("0.0", CultureInfo.InvariantCulture);
        if (Mode == "cargo")
            return $"DistBuild: distribution disabled, cargo built locally in {seconds} s";
        if (Invocations.Count == 0)
            return $"DistBuild: no rustc invocations, everything up to date in {seconds} s";
        var crates = Invocations.Count == 1 ? "1 crate" : $"{Invocations.Count} crates";
        var workers = Workers == 1 ? "1 worker" : $"{Workers} workers";
        var failed = Failed > 0 ? $", {Failed} failed" : "";
        var retries = Retries switch { 0 => "", 1 => ", 1 retry", _ => $", {Retries} retries" };
        return $"DistBuild: {crates}, {Remote} remote on {workers}, {Cached} cached, {Local} local{failed}{retries} in {seconds} s";
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("version", 1);
        json.WriteString("mode", Mode);
        json.WriteString("scheduler", Scheduler);
        json.WriteBoolean("success", Success);
        json.WriteNumber("seconds", Math.Round(Seconds, 3));
        json.WriteStartObject("totals");
        json.WriteNumber("invocations", Invocations.Count);
        json.WriteNumber("remote", Remote);
        json.WriteNumber("cached", Cached);
        json.WriteNumber("local", Local);
        json.WriteNumber("failed", Failed);
        json.WriteNumber("retries", Retries);
        json.WriteNumber("workers", Workers);
        json.WriteEndObject();
        json.WriteStartArray("invocations");
        foreach (var invocation in Invocations)
        {
            json.WriteStartObject();
            json.WriteString("crate", invocation.Crate);
            json.WriteString("crateTypes", invocation.CrateTypes);
            json.WriteString("kind", invocation.Kind);
            json.WriteString("worker", invocation.Worker);
            json.WriteNumber("exitCode", invocation.ExitCode);
            json.WriteNumber("seconds", Math.Round(invocation.Seconds, 3));
            json.WriteNumber("attempts", invocation.Attempts);
            json.WriteNumber("retries", invocation.Retries);
            json.WriteString("note", invocation.Note);
            if (invocation.Phases is { } phases)
                WritePhases(json, phases);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WritePhases(Utf8JsonWriter json, CompilePhases phases)
    {
        json.WriteStartObject("phases");
        json.WriteNumber("prepare", Math.Round(phases.Prepare, 3));
        json.WriteNumber("upload", Math.Round(phases.Upload, 3));
        json.WriteNumber("execute", Math.Round(phases.Execute, 3));
        WriteOptional("dispatch", phases.Dispatch);
        WriteOptional("workerInputs", phases.WorkerInputs);
        WriteOptional("workerRustc", phases.WorkerRustc);
        WriteOptional("workerOutputs", phases.WorkerOutputs);
        json.WriteNumber("download", Math.Round(phases.Download, 3));
        json.WriteEndObject();

        void WriteOptional(string name, double? seconds)
        {
            if (seconds is { } value)
                json.WriteNumber(name, Math.Round(value, 3));
        }
    }
}
