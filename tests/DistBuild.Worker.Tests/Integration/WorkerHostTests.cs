using System.Diagnostics;
using DistBuild.Testing;

namespace DistBuild.Worker.Tests.Integration;

/// <summary>The worker process's life: how it starts, refuses to start, and stops.</summary>
public sealed class WorkerHostTests
{
    [Fact]
    public async Task Without_rustc_the_worker_says_so_and_exits_with_an_error()
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { RepositoryPaths.HostAssembly("DistBuild.Worker"), "--scheduler", "http://127.0.0.1:1", "--id", "no-rustc", "--port", "0",
                     "--Worker:Rustc=/nonexistent/rustc", $"--Worker:WorkDirectory={TemporaryDirectory.Create("no-rustc")}" })
            startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("rustc '/nonexistent/rustc' was not found", await stdout + await stderr);
    }

    [Fact]
    public async Task With_ExitWhenSchedulerGone_the_worker_stops_once_the_scheduler_is_unreachable()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Scheduler:HeartbeatInterval=00:00:01");
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "short-lived", "--Worker:ExitWhenSchedulerGone=true");
        await worker.WaitForOutputAsync("heartbeat every 00:00:01", TimeSpan.FromSeconds(10));

        await scheduler.DisposeAsync();

        await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("the scheduler has been unreachable", worker.Output);
    }

    [Fact]
    public async Task A_worker_the_scheduler_forgot_registers_again()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Scheduler:HeartbeatInterval=00:00:01", "--Scheduler:WorkerTimeout=00:00:02");
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "forgotten");

        // Frozen past the scheduler's worker timeout, the worker is removed; its next heartbeat hears so.
        worker.Signal("STOP");
        await Task.Delay(TimeSpan.FromSeconds(5));
        worker.Signal("CONT");

        await worker.WaitForOutputAsync("no longer knows this worker(.|\\n)*Registered with the scheduler", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_worker_registers_the_port_it_actually_listens_on()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "port-zero");

        Assert.Matches(@"http://127\.0\.0\.1:[1-9][0-9]*$", worker.Url);
        Assert.Contains($"Registered with the scheduler at {scheduler.Url} as port-zero ({worker.Url},", worker.Output);
    }
}
