using System.Text.RegularExpressions;
using DistBuild.Cli.Tests.Harness;
using Xunit.Abstractions;

namespace DistBuild.Cli.Tests.Scenarios;

/// <summary>Single-file compile jobs put and submitted through `distbuild`, and what `job status` says of them.</summary>
public sealed class CompileScenarioTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Valid_program_put_and_submitted_becomes_completed()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 1);
        var source = await cluster.Cli.PutAsync("hello.rs", RustSources.Hello);
        Assert.Matches("^[0-9a-f]{64}/[0-9]+$", source);

        var jobId = await cluster.Cli.SubmitAsync(source);
        var job = await cluster.Cli.WaitForFinishAsync(jobId, Timeouts.Compile);

        Assert.True(AdminCli.State(job) == "COMPLETED", $"job failed: {job}");
        Assert.Equal(0, job.GetProperty("exit_code").GetInt32());
        Assert.Equal("worker-1", AdminCli.Text(job, "worker_id"));
        Assert.False(job.GetProperty("cached").GetBoolean());
        Assert.Contains(await cluster.Cli.JobsAsync(), j => j.GetProperty("job_id").GetString() == jobId);
    }

    [Fact]
    public async Task Readme_submitted_as_a_job_fails_with_rustcs_own_message()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 1);
        var source = await cluster.Cli.PutAsync("README.md", RustSources.NotRust);

        var jobId = await cluster.Cli.SubmitAsync(source);
        var job = await cluster.Cli.WaitForFinishAsync(jobId, Timeouts.Compile);

        Assert.Equal("FAILED", AdminCli.State(job));
        Assert.NotEqual(0, job.GetProperty("exit_code").GetInt32());
        var error = AdminCli.Text(job, "error");
        Assert.NotNull(error);
        // rustc's own diagnostic: what it expected, and where, in the file as the job named it.
        Assert.Contains("error: expected one of `!` or `[`, found `DistBuild`", error);
        Assert.Contains("main.rs:1:3", error);

        var status = (await cluster.Cli.RunAsync("job", "status", jobId)).EnsureSuccess();
        Assert.Matches(new Regex(@"State:\s+FAILED"), status.Stdout);
        Assert.Contains("found `DistBuild`", status.Stdout);
    }

    [Fact]
    public async Task Second_identical_execute_is_served_from_the_action_cache_without_reaching_a_worker()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 1);
        var source = await cluster.Cli.PutAsync("hello.rs", RustSources.Hello);
        var first = await cluster.Cli.SubmitAsync(source);
        Assert.Equal("COMPLETED", AdminCli.State(await cluster.Cli.WaitForFinishAsync(first, Timeouts.Compile)));

        var second = await cluster.Cli.SubmitAsync(source);
        var hit = await cluster.Cli.WaitForFinishAsync(second, Timeouts.Short);

        Assert.NotEqual(first, second);
        Assert.Equal("COMPLETED", AdminCli.State(hit));
        Assert.True(hit.GetProperty("cached").GetBoolean(), $"not served from the cache: {hit}");
        Assert.Null(AdminCli.Text(hit, "worker_id"));
        Assert.Equal(0, hit.GetProperty("exit_code").GetInt32());
        var worker = cluster.Workers["worker-1"];
        Assert.Contains(first, worker.Output);
        Assert.DoesNotContain(second, worker.Output);
        Assert.Contains("(cached)", (await cluster.Cli.RunAsync("jobs", "list")).EnsureSuccess().Stdout);
    }
}
