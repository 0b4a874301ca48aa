using DistBuild.Cli.Tests.Harness;
using Xunit.Abstractions;

namespace DistBuild.Cli.Tests.Scenarios;

/// <summary>Workers coming and going, as `distbuild workers list` and `job status` show it.</summary>
public sealed class WorkerScenarioTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Stopped_worker_disappears_from_workers_list_after_the_worker_timeout()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 1, "--Scheduler:WorkerTimeout=00:00:03", "--Scheduler:HeartbeatInterval=00:00:01");
        Assert.Contains(await cluster.Cli.WorkersAsync(), w => w.GetProperty("worker_id").GetString() == "worker-1");
        Assert.Contains("worker-1", (await cluster.Cli.RunAsync("workers", "list")).EnsureSuccess().Stdout);

        // A stopped process is alive but silent: only the missing heartbeats can tell the scheduler.
        cluster.Workers["worker-1"].Signal("STOP");

        await Eventually.HoldsAsync(async () => (await cluster.Cli.WorkersAsync()).Count == 0, Timeouts.Short, "worker-1 leaving `workers list`");
        var table = (await cluster.Cli.RunAsync("workers", "list")).EnsureSuccess();
        Assert.DoesNotContain("worker-1", table.Stdout);
    }

    [Fact]
    public async Task Job_submitted_with_no_worker_up_completes_once_one_registers()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 0);
        var source = await cluster.Cli.PutAsync("main.rs", RustSources.Hello);
        var jobId = await cluster.Cli.SubmitAsync(source);

        // The reason is refined once the dispatcher has looked for a worker.
        var waiting = await cluster.Cli.WaitForJobAsync(jobId, j => AdminCli.Text(j, "waiting_reason")?.Contains("no worker") == true,
            Timeouts.Short, "waiting with a reason naming the missing workers");
        Assert.Equal("PENDING", AdminCli.State(waiting));

        await cluster.AddWorkerAsync("late-worker");

        var done = await cluster.Cli.WaitForFinishAsync(jobId, Timeouts.Compile);
        Assert.Equal("COMPLETED", AdminCli.State(done));
        Assert.Equal("late-worker", AdminCli.Text(done, "worker_id"));
        Assert.Equal(0, done.GetProperty("exit_code").GetInt32());
    }
}
