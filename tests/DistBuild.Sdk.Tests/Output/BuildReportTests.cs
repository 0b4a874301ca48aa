using System.Text.Json;
using DistBuild.Protocol.Coordination;
using DistBuild.Coordinator.Reporting;
using DistBuild.Testing;

namespace DistBuild.Sdk.Tests.Output;

public sealed class BuildReportTests
{
    private static readonly InvocationRecord[] Invocations =
    [
        new("mathlib", "lib", "remote", "w1", 0, 1.0, 1, null, new CompilePhases(0.01, 0.02, 0.9, 0.03, 0.05, 0.7, 0.04)),
        new("hello", "bin", "remote", "w1", 0, 1.0, 1, null),
        new("buildinfo", "lib", "cached", "w1", 0, 0.1, 1, null, new CompilePhases(0.01, 0, 0.02, 0.03, null, null, null)),
        new("greet_derive", "proc-macro", "local", null, 0, 0.5, 1, "scheduler unreachable"),
    ];

    [Fact]
    public void Summary_counts_remote_cached_and_local_compiles_and_workers()
    {
        var report = new BuildReport("embedded", "http://127.0.0.1:1", true, 4.21, Invocations);

        Assert.Equal("DistBuild: 4 crates, 2 remote on 1 worker, 1 cached, 1 local in 4.2 s", report.Summary());
    }

    [Fact]
    public void Report_file_holds_one_record_per_invocation_and_the_totals()
    {
        var path = Path.Combine(TemporaryDirectory.Create("report"), "sub", "report.json");

        new BuildReport("remote", "http://s", true, 1, Invocations).Write(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(4, json.RootElement.GetProperty("invocations").GetArrayLength());
        Assert.Equal(2, json.RootElement.GetProperty("totals").GetProperty("remote").GetInt32());
        Assert.Equal("w1", json.RootElement.GetProperty("invocations")[0].GetProperty("worker").GetString());
    }

    [Fact]
    public void Report_file_says_where_a_remote_compile_spent_its_time_and_leaves_out_worker_phases_of_a_cache_hit()
    {
        var path = Path.Combine(TemporaryDirectory.Create("report"), "report.json");

        new BuildReport("remote", "http://s", true, 1, Invocations).Write(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var remote = json.RootElement.GetProperty("invocations")[0].GetProperty("phases");
        Assert.Equal(0.7, remote.GetProperty("workerRustc").GetDouble());
        // Dispatch is the part of the Execute wait the worker did not account for: 0.9 − (0.05 + 0.7 + 0.04).
        Assert.Equal(0.11, remote.GetProperty("dispatch").GetDouble(), precision: 3);
        var cached = json.RootElement.GetProperty("invocations")[2].GetProperty("phases");
        Assert.Equal(0.02, cached.GetProperty("execute").GetDouble());
        Assert.False(cached.TryGetProperty("workerRustc", out _));
        Assert.False(json.RootElement.GetProperty("invocations")[1].TryGetProperty("phases", out _));
    }
}
