using System.Text.RegularExpressions;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Cli.Tests.Harness;
using DistBuild.Protocol.Admin;
using Google.Protobuf;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace DistBuild.Cli.Tests.Scenarios;

/// <summary>Lost workers, jobs past their timeout, and toolchains no worker has.</summary>
public sealed class FailureScenarioTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Job_whose_worker_is_killed_mid_compile_completes_on_another_worker()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 0, "--Scheduler:WorkerTimeout=00:00:05", "--Scheduler:HeartbeatInterval=00:00:01");
        await cluster.AddWorkerAsync("worker-1", "--Worker:Slots=1");
        await cluster.AddWorkerAsync("worker-2", "--Worker:Slots=1");
        var source = await cluster.Cli.PutAsync("slow.rs", RustSources.SlowToCompile(iterations: 2_000_000, salt: 4));

        var jobId = await cluster.Cli.SubmitAsync(source);
        var running = await cluster.Cli.WaitForJobAsync(jobId, j => AdminCli.State(j) == "RUNNING", Timeouts.Short, "RUNNING");
        var victim = AdminCli.Text(running, "worker_id")!;
        var survivor = victim == "worker-1" ? "worker-2" : "worker-1";
        cluster.Workers[victim].Signal("KILL");
        Assert.False(AdminCli.IsFinished(await cluster.Cli.StatusAsync(jobId)), "the compile finished before its worker was killed; make it slower");

        var done = await cluster.Cli.WaitForFinishAsync(jobId, Timeouts.Compile);

        Assert.True(AdminCli.State(done) == "COMPLETED", $"job did not complete: {done}");
        Assert.Equal(survivor, AdminCli.Text(done, "worker_id"));
        Assert.True(done.GetProperty("attempts").GetInt32() >= 2, $"expected a second attempt: {done}");
        Assert.DoesNotContain(await cluster.Cli.WorkersAsync(), w => w.GetProperty("worker_id").GetString() == victim);
    }

    [Fact]
    public async Task Job_running_past_its_timeout_fails_with_a_message_saying_so()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 1, "--Scheduler:DefaultJobTimeout=00:00:01");
        var source = await cluster.Cli.PutAsync("slow.rs", RustSources.SlowToCompile(iterations: 2_000_000, salt: 5));

        var jobId = await cluster.Cli.SubmitAsync(source);
        var job = await cluster.Cli.WaitForFinishAsync(jobId, Timeouts.Compile);

        Assert.Equal("FAILED", AdminCli.State(job));
        Assert.Matches(new Regex("time(d)? ?out", RegexOptions.IgnoreCase), AdminCli.Text(job, "error") ?? "");
    }

    [Fact]
    public async Task Job_needing_a_toolchain_no_worker_has_waits_with_a_reason_naming_it()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 1);
        using var channel = GrpcChannel.ForAddress(cluster.Scheduler.Url);
        var cas = new ContentAddressableStorage.ContentAddressableStorageClient(channel);
        var source = ByteString.CopyFromUtf8(RustSources.Hello);
        var root = new Build.Bazel.Remote.Execution.V2.Directory { Files = { new FileNode { Name = "main.rs", Digest = StandardDigests.Of(source) } } };
        var command = new Command { Arguments = { "rustc", "--edition", "2021", "main.rs", "-o", "hello" }, OutputPaths = { "hello" } };
        var action = new Build.Bazel.Remote.Execution.V2.Action
        {
            CommandDigest = StandardDigests.Of(command.ToByteString()),
            InputRootDigest = StandardDigests.Of(root.ToByteString()),
            Platform = new Platform { Properties = { new Platform.Types.Property { Name = "rustc-release", Value = "0.0.1" } } },
        };
        var upload = new BatchUpdateBlobsRequest();
        foreach (var blob in new[] { source, root.ToByteString(), command.ToByteString(), action.ToByteString() })
            upload.Requests.Add(new BatchUpdateBlobsRequest.Types.Request { Digest = StandardDigests.Of(blob), Data = blob });
        Assert.All((await cas.BatchUpdateBlobsAsync(upload)).Responses, r => Assert.Equal(0, r.Status.Code));

        var execution = new Build.Bazel.Remote.Execution.V2.Execution.ExecutionClient(channel);
        string jobId;
        using (var call = execution.Execute(new ExecuteRequest { ActionDigest = StandardDigests.Of(action.ToByteString()) }))
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            jobId = call.ResponseStream.Current.Name;
        }

        var admin = new Admin.AdminClient(channel);
        Job job = null!;
        await Eventually.HoldsAsync(async () =>
        {
            job = await admin.GetJobAsync(new GetJobRequest { JobId = jobId });
            return job.WaitingReason.Length > 0;
        }, Timeouts.Short, "a waiting reason");

        Assert.Equal(JobState.Pending, job.State);
        Assert.Contains("0.0.1", job.WaitingReason);
        Assert.Contains("toolchain", job.WaitingReason);
        var status = (await cluster.Cli.RunAsync("job", "status", jobId)).EnsureSuccess();
        Assert.Matches(new Regex(@"Waiting:\s+.*rustc-release=0\.0\.1"), status.Stdout);
    }
}
