using System.Text.Json;
using DistBuild.Tasks.Compilation;
using DistBuild.Tasks.Reporting;
using DistBuild.Testing;

namespace DistBuild.Sdk.Tests.Output;

public sealed class BuildReportTests
{
    private static readonly InvocationRecord[] Invocations =
    [
        new("mathlib", "lib", "remote", "w1", 0, 1.0, 1, null),
        new("hello", "bin", "remote", "w1", 0, 1.0, 1, null),
        new("buildinfo", "lib", "cached", "w1", 0, 0.1, 1, null),
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
}
