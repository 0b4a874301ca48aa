using System.Text.Json;
using DistBuild.Testing;

namespace DistBuild.Cli.Tests.Harness;

/// <summary>The steps the scenarios take through `distbuild`, each one real CLI run against one scheduler.</summary>
public sealed class AdminCli(string schedulerUrl)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(300);

    public string SchedulerUrl => schedulerUrl;

    public Task<CliResult> RunAsync(params string[] arguments) => CliProcess.RunAsync(schedulerUrl, arguments);

    /// <summary>Writes <paramref name="content"/> to a file named <paramref name="fileName"/>, runs `cas put` and returns the digest it printed.</summary>
    public async Task<string> PutAsync(string fileName, string content)
    {
        var path = Path.Combine(TemporaryDirectory.Create("cli-input"), fileName);
        await File.WriteAllTextAsync(path, content);
        var result = (await RunAsync("cas", "put", path)).EnsureSuccess();
        return result.Stdout.Trim();
    }

    public async Task<string> SubmitAsync(string digest, params string[] options)
    {
        var result = (await RunAsync(["job", "submit", digest, .. options])).EnsureSuccess();
        var jobId = result.Stdout.Trim();
        Assert.False(string.IsNullOrWhiteSpace(jobId), $"job submit printed no job id: {result}");
        return jobId;
    }

    public async Task<JsonElement> StatusAsync(string jobId)
    {
        var result = (await RunAsync("job", "status", jobId, "--json")).EnsureSuccess();
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    public async Task<IReadOnlyList<JsonElement>> WorkersAsync()
    {
        var result = (await RunAsync("workers", "list", "--json")).EnsureSuccess();
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("workers").EnumerateArray().Select(w => w.Clone()).ToList();
    }

    public async Task<IReadOnlyList<JsonElement>> JobsAsync()
    {
        var result = (await RunAsync("jobs", "list", "--json")).EnsureSuccess();
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.Clone()).ToList();
    }

    /// <summary>Polls `job status --json` until <paramref name="condition"/> holds; fails with the last status after the timeout.</summary>
    public async Task<JsonElement> WaitForJobAsync(string jobId, Func<JsonElement, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await StatusAsync(jobId);
            if (condition(status))
                return status;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"job {jobId} did not become {what} within {timeout}; last status:\n{status}");
            await Task.Delay(PollInterval);
        }
    }

    public Task<JsonElement> WaitForFinishAsync(string jobId, TimeSpan timeout) =>
        WaitForJobAsync(jobId, IsFinished, timeout, "COMPLETED or FAILED");

    public static bool IsFinished(JsonElement job) => State(job) is "COMPLETED" or "FAILED";

    public static string State(JsonElement job) => job.GetProperty("state").GetString()!;

    public static string? Text(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetString();
}
