using DistBuild.Faults.Tests.Support;
using DistBuild.Protocol.Admin;
using DistBuild.Testing;
using Xunit.Abstractions;

namespace DistBuild.Faults.Tests;

/// <summary>A scheduler killed and started again on the same port and data directory, in the middle of a build.</summary>
public class SchedulerRestartTests(ITestOutputHelper output)
{
    private readonly string _workspace = TemporaryDirectory.Create("faults-restart");

    [Fact]
    public async Task Scheduler_restarted_mid_build_the_build_succeeds_and_the_cas_and_action_cache_survive()
    {
        FaultWorkspace.Write(_workspace);
        var data = TemporaryDirectory.Create("scheduler-restart");
        var port = TestHosts.FreePort();
        var first = await TestHosts.StartSchedulerOnPortAsync(port, data, Farm.FastLiveness);
        var url = first.Url;
        HostProcess? second = null;
        await using var worker = await TestHosts.StartWorkerAsync(url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}");
        try
        {
            var log = new RecordingLog();
            await using (var coordinator = Farm.Coordinator(url, log))
            {
                await coordinator.StartAsync(CancellationToken.None);
                var build = Farm.CargoBuildAsync(_workspace, coordinator);
                await worker.WaitForOutputAsync(@"running rustc slow \(lib\)", Farm.BuildTimeout);
                first.Signal("KILL");
                await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
                // Down for a moment, as a restart is: clients and the worker see UNAVAILABLE meanwhile.
                await Task.Delay(TimeSpan.FromSeconds(2));
                second = await TestHosts.StartSchedulerOnPortAsync(port, data, Farm.FastLiveness);

                var cargo = await build.WaitAsync(Farm.BuildTimeout);
                output.WriteLine($"cargo: {cargo}\ncoordinator:\n{log}\nworker:\n{worker.Output}\nscheduler after restart:\n{second.Output}");

                Assert.True(cargo.ExitCode == 0, cargo.ToString());
                var run = await RustTools.RunAsync(Path.Combine(_workspace, "target", "debug", "app"), [], _workspace);
                Assert.Equal(FaultWorkspace.ExpectedOutput, run.Stdout.Trim());
                Assert.Equal(["app", "base", "mid", "slow"], coordinator.Invocations.Select(i => i.Crate).Order(StringComparer.Ordinal));
            }

            var admin = Farm.Admin(url, out var channel);
            using (channel)
                Assert.Contains((await admin.ListWorkersAsync(new ListWorkersRequest())).Workers, w => w.WorkerId == "worker-1");

            // What was stored before and after the restart is on disk: a clean build is all cache hits.
            Directory.Delete(Path.Combine(_workspace, "target"), recursive: true);
            await using var again = Farm.Coordinator(url, new RecordingLog());
            await again.StartAsync(CancellationToken.None);
            var rebuild = await Farm.CargoBuildAsync(_workspace, again).WaitAsync(Farm.BuildTimeout);

            Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
            Assert.Equal(4, again.Invocations.Count);
            Assert.All(again.Invocations, i => Assert.Equal("cached", i.Kind));
            Assert.Equal(FaultWorkspace.ExpectedOutput, (await RustTools.RunAsync(Path.Combine(_workspace, "target", "debug", "app"), [], _workspace)).Stdout.Trim());
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
                await second.DisposeAsync();
        }
    }
}
