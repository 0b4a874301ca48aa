using System.Text.Json;
using DistBuild.Faults.Tests.Support;
using DistBuild.Protocol.Admin;
using DistBuild.Coordinator.Reporting;
using DistBuild.Testing;
using Xunit.Abstractions;

namespace DistBuild.Faults.Tests;

/// <summary>A worker that dies or hangs in the middle of a compile costs time, never the build.</summary>
public class WorkerLossTests(ITestOutputHelper output)
{
    private readonly string _directory = TemporaryDirectory.Create("faults-loss");

    [Fact]
    public async Task Worker_killed_mid_build_costs_one_retry_and_every_crate_is_correct()
    {
        FaultWorkspace.Write(_directory);
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, Farm.FastLiveness);
        await using var worker1 = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}", "--Worker:Slots=1");
        await using var worker2 = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-2", $"--Worker:Rustc={RustTools.Rustc}", "--Worker:Slots=1");
        var log = new RecordingLog();
        await using var coordinator = Farm.Coordinator(scheduler.Url, log);
        await coordinator.StartAsync(CancellationToken.None);

        var build = Farm.CargoBuildAsync(_directory, coordinator);
        var victim = await Farm.FirstToPrintAsync([worker1, worker2], @"running rustc slow \(lib\)", Farm.BuildTimeout);
        victim.Signal("KILL");
        var cargo = await build.WaitAsync(Farm.BuildTimeout);
        output.WriteLine($"cargo: {cargo}\ncoordinator:\n{log}\nscheduler:\n{scheduler.Output}");

        Assert.True(cargo.ExitCode == 0, cargo.ToString());
        var run = await RustTools.RunAsync(Path.Combine(_directory, "target", "debug", "app"), [], _directory);
        Assert.Equal(FaultWorkspace.ExpectedOutput, run.Stdout.Trim());
        var survivor = victim == worker1 ? "worker-2" : "worker-1";
        var slow = Assert.Single(coordinator.Invocations, i => i.Crate == "slow");
        Assert.Equal(("remote", survivor, 2, 1), (slow.Kind, slow.Worker, slow.Attempts, slow.Retries));
        Assert.All(coordinator.Invocations.Where(i => i.Crate != "slow"), i => Assert.Equal(0, i.Retries));

        // The JSON build report says the same.
        var reportPath = Path.Combine(_directory, "report.json");
        new BuildReport("remote", scheduler.Url, true, 1, coordinator.Invocations).Write(reportPath);
        using var report = JsonDocument.Parse(File.ReadAllText(reportPath));
        Assert.Equal(1, report.RootElement.GetProperty("totals").GetProperty("retries").GetInt32());
        var slowEntry = report.RootElement.GetProperty("invocations").EnumerateArray().Single(e => e.GetProperty("crate").GetString() == "slow");
        Assert.Equal((2, 1), (slowEntry.GetProperty("attempts").GetInt32(), slowEntry.GetProperty("retries").GetInt32()));
    }

    [Fact]
    public async Task Worker_lost_after_passing_on_a_librarys_metadata_costs_a_retry_and_cargo_hears_of_that_metadata_once()
    {
        // worker-1's rustc holds base's compile after rustc is done, so base's .rmeta has gone to cargo (and mid and
        // slow, which need only that, are queued) when worker-1 is killed; base then runs again on worker-2, which
        // reports the same .rmeta again. cargo takes a second metadata notification for one compile badly.
        FaultWorkspace.Write(_directory);
        var holdingRustc = Farm.RustcWrapper(TemporaryDirectory.Create("holding-rustc"), "base", $"\"{RustTools.Rustc}\" \"$@\"; sleep 120; exit 1");
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, Farm.FastLiveness);
        await using var worker1 = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={holdingRustc}", "--Worker:Slots=1");
        var admin = Farm.Admin(scheduler.Url, out var channel);
        using var _ = channel;
        var log = new RecordingLog();
        await using var coordinator = Farm.Coordinator(scheduler.Url, log);
        await coordinator.StartAsync(CancellationToken.None);

        var build = Farm.CargoBuildAsync(_directory, coordinator);
        await Farm.WaitUntilAsync(async () => (await admin.ListJobsAsync(new ListJobsRequest())).Jobs.Any(j => j.Description is "rustc mid (lib)" or "rustc slow (lib)"),
            Farm.BuildTimeout, "a job for a crate that needs base's metadata");
        await using var worker2 = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-2", $"--Worker:Rustc={RustTools.Rustc}", "--Worker:Slots=1");
        worker1.Signal("KILL");
        var cargo = await build.WaitAsync(Farm.BuildTimeout);
        output.WriteLine($"cargo: {cargo}\ncoordinator:\n{log}\nscheduler:\n{scheduler.Output}");

        Assert.True(cargo.ExitCode == 0, cargo.ToString());
        Assert.DoesNotContain("panicked", cargo.Stderr);
        var run = await RustTools.RunAsync(Path.Combine(_directory, "target", "debug", "app"), [], _directory);
        Assert.Equal(FaultWorkspace.ExpectedOutput, run.Stdout.Trim());
        var baseCompile = Assert.Single(coordinator.Invocations, i => i.Crate == "base");
        Assert.Equal(("remote", "worker-2", 2), (baseCompile.Kind, baseCompile.Worker, baseCompile.Attempts));
        Assert.Contains(log.Lines, l => l.StartsWith("detail base: ", StringComparison.Ordinal) && l.EndsWith(", metadata to cargo early", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hung_worker_is_removed_after_the_worker_timeout_and_its_job_runs_elsewhere()
    {
        File.WriteAllText(Path.Combine(_directory, "slow.rs"), FaultWorkspace.SlowSource(FaultWorkspace.SlowIterations, "pub fn slow() -> u64 { SLOW }"));
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, Farm.FastLiveness);
        await using var worker1 = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}", "--Worker:Slots=1");
        await using var worker2 = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-2", $"--Worker:Rustc={RustTools.Rustc}", "--Worker:Slots=1");
        var admin = Farm.Admin(scheduler.Url, out var channel);
        using var _ = channel;
        var log = new RecordingLog();
        await using var coordinator = Farm.Coordinator(scheduler.Url, log);
        await coordinator.StartAsync(CancellationToken.None);

        var compile = Farm.CompileAsync(coordinator, _directory, "slow", "slow.rs");
        var hung = await Farm.FirstToPrintAsync([worker1, worker2], @"running rustc slow \(lib\)", Farm.BuildTimeout);
        try
        {
            hung.Signal("STOP");
            var hungId = hung == worker1 ? "worker-1" : "worker-2";
            await Farm.WaitUntilAsync(async () => (await admin.ListWorkersAsync(new ListWorkersRequest())).Workers.All(w => w.WorkerId != hungId),
                TimeSpan.FromSeconds(30), $"removal of the stopped {hungId}");
            var result = await compile.WaitAsync(Farm.BuildTimeout);
            output.WriteLine($"compile: {result}\ncoordinator:\n{log}\nscheduler:\n{scheduler.Output}");

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.True(File.Exists(Path.Combine(_directory, "libslow.rlib")));
            var record = Assert.Single(coordinator.Invocations);
            Assert.Equal(("remote", 2), (record.Kind, record.Attempts));
            Assert.NotEqual(hungId, record.Worker);
            Assert.Contains($"worker {hungId} stopped responding", scheduler.Output);
        }
        finally
        {
            hung.Signal("CONT");
        }
    }
}
