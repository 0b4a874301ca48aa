using DistBuild.Faults.Tests.Support;
using DistBuild.Protocol.Admin;
using DistBuild.Testing;
using Xunit.Abstractions;

namespace DistBuild.Faults.Tests;

/// <summary>
/// Workers that stay up but cannot do the job: a compile that never ends, a crate that crashes rustc everywhere,
/// a rustc that vanished, a full disk. Each ends with the build going on elsewhere or a failure that says why.
/// </summary>
public class FailingWorkerTests(ITestOutputHelper output)
{
    private readonly string _directory = TemporaryDirectory.Create("faults-failing");

    [Fact]
    public async Task Job_past_its_timeout_fails_naming_the_crate_and_the_worker_then_takes_jobs_again()
    {
        File.WriteAllText(Path.Combine(_directory, "stuck.rs"), "pub fn stuck() {}");
        File.WriteAllText(Path.Combine(_directory, "fine.rs"), "pub fn fine() {}");
        var rustc = Farm.RustcWrapper(TemporaryDirectory.Create("rustc-stuck"), "stuck", "sleep 600");
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, Farm.FastLiveness);
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={rustc}", "--Worker:Slots=1");
        var log = new RecordingLog();
        await using var coordinator = Farm.Coordinator(scheduler.Url, log, jobTimeout: TimeSpan.FromSeconds(3));
        await coordinator.StartAsync(CancellationToken.None);

        var stuck = await Farm.CompileAsync(coordinator, _directory, "stuck", "stuck.rs").WaitAsync(TimeSpan.FromMinutes(2));
        var fine = await Farm.CompileAsync(coordinator, _directory, "fine", "fine.rs").WaitAsync(TimeSpan.FromMinutes(2));
        output.WriteLine($"stuck: {stuck}\nfine: {fine}\nscheduler:\n{scheduler.Output}\nworker:\n{worker.Output}");

        Assert.Equal(1, stuck.ExitCode);
        Assert.Contains("could not compile stuck", stuck.Stderr);
        Assert.Contains("exceeded its timeout of 3 s", stuck.Stderr);
        Assert.True(fine.ExitCode == 0, fine.ToString());
        Assert.Equal("worker-1", coordinator.Invocations.Single(i => i.Crate == "fine").Worker);
    }

    [Fact]
    public async Task Job_that_crashes_rustc_on_every_worker_fails_after_the_bounded_attempts_naming_the_crate()
    {
        File.WriteAllText(Path.Combine(_directory, "poison.rs"), "pub fn poison() {}");
        var rustc = Farm.RustcWrapper(TemporaryDirectory.Create("rustc-poison"), "poison", "kill -SEGV $$");
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, [.. Farm.FastLiveness, "--Scheduler:MaxAttempts=3"]);
        await using var worker1 = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={rustc}", "--Worker:Slots=1");
        await using var worker2 = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-2", $"--Worker:Rustc={rustc}", "--Worker:Slots=1");
        var admin = Farm.Admin(scheduler.Url, out var channel);
        using var _ = channel;
        var log = new RecordingLog();
        await using var coordinator = Farm.Coordinator(scheduler.Url, log);
        await coordinator.StartAsync(CancellationToken.None);

        var result = await Farm.CompileAsync(coordinator, _directory, "poison", "poison.rs").WaitAsync(TimeSpan.FromMinutes(2));
        output.WriteLine($"compile: {result}\nscheduler:\n{scheduler.Output}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("could not compile poison", result.Stderr);
        Assert.Contains("rustc poison (lib): gave up after 3 attempt(s)", result.Stderr);
        Assert.Contains("killed by SIGSEGV", result.Stderr);
        var record = Assert.Single(coordinator.Invocations);
        Assert.Equal(3, record.Attempts);
        var job = (await admin.ListJobsAsync(new ListJobsRequest())).Jobs.Single(j => j.Description == "rustc poison (lib)");
        Assert.Equal((JobState.Failed, 3), (job.State, job.Attempts));
        Assert.Contains("rustc poison (lib): gave up after 3 attempt(s)", job.Error);
        Assert.Contains("worker-1", job.Error);
        Assert.Contains("worker-2", job.Error);
    }

    [Fact]
    public async Task Worker_whose_rustc_disappeared_fails_the_attempt_and_the_job_runs_on_a_healthy_worker()
    {
        File.WriteAllText(Path.Combine(_directory, "hello.rs"), "pub fn hello() {}");
        var vanishing = Farm.RustcWrapper(TemporaryDirectory.Create("rustc-vanishing"), "none-such", "exit 1");
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, Farm.FastLiveness);
        // worker-a comes first in the scheduler's choice, so the job meets the broken worker first.
        await using var broken = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-a", $"--Worker:Rustc={vanishing}", "--Worker:Slots=1");
        File.Delete(vanishing);
        await using var healthy = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-b", $"--Worker:Rustc={RustTools.Rustc}", "--Worker:Slots=1");
        var log = new RecordingLog();
        await using var coordinator = Farm.Coordinator(scheduler.Url, log);
        await coordinator.StartAsync(CancellationToken.None);

        var result = await Farm.CompileAsync(coordinator, _directory, "hello", "hello.rs").WaitAsync(TimeSpan.FromMinutes(2));
        output.WriteLine($"compile: {result}\nscheduler:\n{scheduler.Output}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(_directory, "libhello.rlib")));
        var record = Assert.Single(coordinator.Invocations);
        Assert.Equal(("worker-b", 2), (record.Worker, record.Attempts));
        Assert.Contains("worker worker-a could not start rustc", scheduler.Output);
    }

    [Fact]
    public async Task Worker_with_a_full_disk_fails_the_attempt_and_the_job_runs_on_a_healthy_worker()
    {
        // A source larger than the broken worker's whole disk: fetching the inputs fails with ENOSPC.
        File.WriteAllText(Path.Combine(_directory, "big.rs"), "pub fn big() {}\n" + string.Concat(Enumerable.Repeat("// padding padding padding padding padding padding padding padding\n", 40_000)));
        var disk = TemporaryDirectory.Create("tiny-disk");
        var mount = await RustTools.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk], _directory);
        Assert.True(mount.ExitCode == 0, $"this test needs root to mount a 1 MiB tmpfs: {mount}");
        try
        {
            await using var scheduler = await TestHosts.StartSchedulerAsync(null, Farm.FastLiveness);
            await using var full = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-a", $"--Worker:Rustc={RustTools.Rustc}", "--Worker:Slots=1", $"--Worker:WorkDirectory={disk}");
            await using var healthy = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-b", $"--Worker:Rustc={RustTools.Rustc}", "--Worker:Slots=1");
            var log = new RecordingLog();
            await using var coordinator = Farm.Coordinator(scheduler.Url, log);
            await coordinator.StartAsync(CancellationToken.None);

            var result = await Farm.CompileAsync(coordinator, _directory, "big", "big.rs").WaitAsync(TimeSpan.FromMinutes(2));
            output.WriteLine($"compile: {result}\nscheduler:\n{scheduler.Output}\nfull worker:\n{full.Output}");

            Assert.True(result.ExitCode == 0, result.ToString());
            var record = Assert.Single(coordinator.Invocations);
            Assert.Equal(("worker-b", 2), (record.Worker, record.Attempts));
            Assert.Contains("No space left on device", scheduler.Output);
        }
        finally
        {
            await RustTools.RunAsync("umount", ["-l", disk], _directory);
        }
    }
}
