using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Workers;
using DistBuild.Security.Tests.Support;
using DistBuild.Testing;
using Grpc.Core;

namespace DistBuild.Security.Tests;

public sealed class WorkerAuthenticationTests
{
    private const string Token = "worker-and-client-token-51e7";

    [Fact]
    public async Task A_worker_without_the_token_cannot_register_and_one_with_it_runs_jobs_that_require_it_both_ways()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, $"--Auth:Tokens:0={Token}");

        await using (var stranger = await TestHosts.StartWorkerProcessAsync(scheduler.Url, "stranger", null))
        {
            await stranger.WaitForOutputAsync("Unauthenticated", TimeSpan.FromSeconds(30));
            Assert.DoesNotContain("Registered with the scheduler", stranger.Output);
        }

        // The token from DISTBUILD_TOKEN; the worker then requires it from the scheduler too.
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "trusted", new Dictionary<string, string> { ["DISTBUILD_TOKEN"] = Token });
        using var channel = GrpcChannels.Create(scheduler.Url, Token);
        var workers = await new Admin.AdminClient(channel).ListWorkersAsync(new ListWorkersRequest(), deadline: DateTime.UtcNow.AddSeconds(20));
        Assert.Equal(["trusted"], workers.Workers.Select(w => w.WorkerId));

        // A job reaches the worker only if the scheduler presents the token on its WorkerService calls.
        var source = Path.Combine(TemporaryDirectory.Create("job"), "lib.rs");
        await File.WriteAllTextAsync(source, "pub fn answer() -> u32 { 42 }\n");
        var action = RustActions.Prepare(Path.GetDirectoryName(source)!, [source],
            ["rustc", "--crate-name", "answer", "--edition", "2021", "--crate-type", "lib", "lib.rs", "--out-dir", "out"], ["out/libanswer.rlib"]);
        var response = await RustActions.ExecuteAsync(channel, action, TimeSpan.FromSeconds(120));
        Assert.True(response.Status is null || response.Status.Code == 0, $"the job failed: {response.Status}");
        Assert.Equal(0, response.Result.ExitCode);
        Assert.DoesNotContain(Token, scheduler.Output + worker.Output);
    }

    [Fact]
    public async Task The_worker_service_refuses_callers_without_the_token()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, $"--Auth:Tokens:0={Token}");
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "guarded", $"--Worker:Token={Token}");

        using var anonymous = GrpcChannels.Create(worker.Url);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await new WorkerService.WorkerServiceClient(anonymous).CancelJobAsync(new CancelJobRequest { JobId = "any" }, deadline: DateTime.UtcNow.AddSeconds(20)));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("worker", refused.Status.Detail);

        using var trusted = GrpcChannels.Create(worker.Url, Token);
        await new WorkerService.WorkerServiceClient(trusted).CancelJobAsync(new CancelJobRequest { JobId = "any" }, deadline: DateTime.UtcNow.AddSeconds(20));
    }
}
