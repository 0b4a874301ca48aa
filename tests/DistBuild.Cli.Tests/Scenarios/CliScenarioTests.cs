using DistBuild.Cli.Interactive;
using DistBuild.Cli.Tests.Harness;
using DistBuild.Testing;
using Xunit.Abstractions;

namespace DistBuild.Cli.Tests.Scenarios;

/// <summary>`distbuild` as a process against a real scheduler: blobs in and out, clear errors, the prompt.</summary>
public sealed class CliScenarioTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Interactive_prompt_runs_workers_list_from_stdin_and_exits()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 1);

        var result = await CliProcess.RunRawAsync(["--scheduler", cluster.Scheduler.Url], "workers list\nexit\n");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(InteractivePrompt.Prompt, result.Stdout);
        Assert.Contains("worker-1", result.Stdout);
        Assert.Equal(2, result.Stdout.Split(InteractivePrompt.Prompt).Length - 1);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Scheduler_url_comes_from_DISTBUILD_SCHEDULER()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 1);

        var result = await CliProcess.RunRawAsync(["workers", "list"], null, new Dictionary<string, string> { ["DISTBUILD_SCHEDULER"] = cluster.Scheduler.Url });

        Assert.Contains("worker-1", result.EnsureSuccess().Stdout);
    }

    [Fact]
    public async Task Cas_put_then_get_round_trips_the_bytes_to_stdout_and_to_a_file()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 0);
        var digest = await cluster.Cli.PutAsync("notes.txt", "some notes\n");

        var toStdout = (await cluster.Cli.RunAsync("cas", "get", digest)).EnsureSuccess();
        var file = Path.Combine(TemporaryDirectory.Create("cas-get"), "copy.txt");
        (await cluster.Cli.RunAsync("cas", "get", digest, "-o", file)).EnsureSuccess();

        Assert.Equal("some notes\n", toStdout.Stdout);
        Assert.Equal("some notes\n", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Unknown_job_id_bad_digest_and_missing_blob_are_one_line_errors_with_nonzero_exit()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 0);
        var absent = new string('a', 64) + "/12";

        var unknownJob = await cluster.Cli.RunAsync("job", "status", "no-such-job");
        var badDigest = await cluster.Cli.RunAsync("job", "submit", "xyz/3");
        var notStored = await cluster.Cli.RunAsync("job", "submit", absent);

        AssertOneLineError(unknownJob, "no job with id 'no-such-job'");
        AssertOneLineError(badDigest, "digest hash 'xyz' has 3 characters");
        AssertOneLineError(notStored, $"blob {absent} is not in the CAS");
    }

    [Fact]
    public async Task Unreachable_scheduler_is_a_one_line_error_with_nonzero_exit()
    {
        var url = $"http://127.0.0.1:{ClosedPort.Find()}";

        var result = await CliProcess.RunAsync(url, "jobs", "list");

        AssertOneLineError(result, $"cannot reach the scheduler at {url}");
    }

    private static void AssertOneLineError(CliResult result, string expected)
    {
        Assert.NotEqual(0, result.ExitCode);
        var line = Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout);
    }
}
