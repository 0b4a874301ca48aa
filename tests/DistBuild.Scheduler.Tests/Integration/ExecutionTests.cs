using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using DistBuild.Protocol.Toolchains;
using DistBuild.Scheduler.Tests.Support;
using Google.LongRunning;
using Grpc.Core;

namespace DistBuild.Scheduler.Tests.Integration;

/// <summary>Execute and WaitExecution against the real scheduler, with no worker registered.</summary>
public sealed class ExecutionTests(SchedulerHost host) : IClassFixture<SchedulerHost>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private Build.Bazel.Remote.Execution.V2.Execution.ExecutionClient Execution => new(host.Channel);
    private Protocol.Admin.Admin.AdminClient Admin => new(host.Channel);

    [Fact]
    public async Task Execute_with_a_missing_input_is_FAILED_PRECONDITION_naming_each_missing_blob()
    {
        var missingSource = Digests.Compute(Guid.NewGuid().ToByteArray());
        var root = new Build.Bazel.Remote.Execution.V2.Directory { Files = { new FileNode { Name = "main.rs", Digest = missingSource } } };
        var command = new Command { Arguments = { "rustc", "main.rs" } };
        var action = await Blobs.UploadAsync(host.Channel, new Build.Bazel.Remote.Execution.V2.Action
        {
            CommandDigest = await Blobs.UploadAsync(host.Channel, command),
            InputRootDigest = await Blobs.UploadAsync(host.Channel, root),
        });

        var response = await FinalResponseAsync(new ExecuteRequest { ActionDigest = action });

        Assert.Equal((int)StatusCode.FailedPrecondition, response.Status.Code);
        Assert.Equal([Digests.Format(missingSource)], RemoteExecutor.MissingBlobs(response.Status).Select(Digests.Format));
    }

    [Fact]
    public async Task Execute_of_an_action_that_was_never_uploaded_names_the_action_as_missing()
    {
        var action = Digests.Compute(Guid.NewGuid().ToByteArray());

        var response = await FinalResponseAsync(new ExecuteRequest { ActionDigest = action });

        Assert.Equal([Digests.Format(action)], RemoteExecutor.MissingBlobs(response.Status).Select(Digests.Format));
    }

    [Fact]
    public async Task Execute_of_an_action_cache_hit_completes_with_cached_result_without_any_worker()
    {
        var action = await Blobs.UploadRustcActionAsync(host.Channel, "cached" + Guid.NewGuid().ToString("N")[..8]);
        var output = await Blobs.UploadAsync(host.Channel, "rlib bytes");
        var stderr = await Blobs.UploadAsync(host.Channel, "warning: unused variable");
        var result = new ActionResult { OutputFiles = { new OutputFile { Path = "libx.rlib", Digest = output } }, StderrDigest = stderr };
        await new Build.Bazel.Remote.Execution.V2.ActionCache.ActionCacheClient(host.Channel).UpdateActionResultAsync(new UpdateActionResultRequest { ActionDigest = action, ActionResult = result });

        var operations = await OperationsAsync(Execution.Execute(new ExecuteRequest { ActionDigest = action, InlineStderr = true }));

        var final = operations.Last();
        Assert.True(final.Done);
        var response = final.Response.Unpack<ExecuteResponse>();
        Assert.True(response.CachedResult);
        Assert.Equal(output, response.Result.OutputFiles.Single().Digest);
        Assert.Equal("warning: unused variable", response.Result.StderrRaw.ToStringUtf8());
        var job = await Admin.GetJobAsync(new GetJobRequest { JobId = final.Name });
        Assert.True(job.Cached);
        Assert.Equal(JobState.Completed, job.State);
        Assert.Equal("", job.WorkerId);
    }

    [Fact]
    public async Task Job_no_worker_can_serve_stays_queued_with_a_waiting_reason_naming_its_toolchain()
    {
        var toolchain = new RustToolchain("1.95.0", "deadbeef", "riscv64gc-unknown-linux-gnu");
        var action = await Blobs.UploadRustcActionAsync(host.Channel, "queued" + Guid.NewGuid().ToString("N")[..8], toolchain.ToPlatform());
        using var cancel = new CancellationTokenSource(Timeout);
        using var call = Execution.Execute(new ExecuteRequest { ActionDigest = action }, cancellationToken: cancel.Token);

        Assert.True(await call.ResponseStream.MoveNext(cancel.Token));
        var operation = call.ResponseStream.Current;
        Assert.False(operation.Done);
        Assert.Equal(ExecutionStage.Types.Value.Queued, operation.Metadata.Unpack<ExecuteOperationMetadata>().Stage);

        var job = await WaitForAsync(async () => await Admin.GetJobAsync(new GetJobRequest { JobId = operation.Name }), j => j.WaitingReason.Length > 0);
        Assert.Equal(JobState.Pending, job.State);
        Assert.Contains("riscv64gc-unknown-linux-gnu", job.WaitingReason);

        // Reattaching by name follows the same operation.
        using var wait = Execution.WaitExecution(new WaitExecutionRequest { Name = operation.Name }, cancellationToken: cancel.Token);
        Assert.True(await wait.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(operation.Name, wait.ResponseStream.Current.Name);
        Assert.Contains((await Admin.ListJobsAsync(new ListJobsRequest { Limit = 1000 })).Jobs, j => j.JobId == operation.Name);
    }

    [Fact]
    public async Task Command_that_is_not_rustc_is_INVALID_ARGUMENT()
    {
        var action = await Blobs.UploadRustcActionAsync(host.Channel, "sh" + Guid.NewGuid().ToString("N")[..8], program: "/bin/sh");

        var error = await Assert.ThrowsAsync<RpcException>(() => OperationsAsync(Execution.Execute(new ExecuteRequest { ActionDigest = action })));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("only rustc", error.Status.Detail);
    }

    [Fact]
    public async Task WaitExecution_of_an_unknown_name_is_NOT_FOUND()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => OperationsAsync(Execution.WaitExecution(new WaitExecutionRequest { Name = "no-such-operation" })));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Execute_for_an_unknown_instance_name_is_INVALID_ARGUMENT_naming_it()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            OperationsAsync(Execution.Execute(new ExecuteRequest { InstanceName = "elsewhere", ActionDigest = Digests.Empty })));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("'elsewhere'", error.Status.Detail);
    }

    [Fact]
    public async Task Execute_with_a_malformed_action_digest_is_INVALID_ARGUMENT()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            OperationsAsync(Execution.Execute(new ExecuteRequest { ActionDigest = new Digest { Hash = "not-hex", SizeBytes = 1 } })));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task GetJob_of_an_unknown_id_is_NOT_FOUND()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Admin.GetJobAsync(new GetJobRequest { JobId = "nope" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    private async Task<ExecuteResponse> FinalResponseAsync(ExecuteRequest request)
    {
        var final = (await OperationsAsync(Execution.Execute(request))).Last();
        Assert.True(final.Done);
        return final.Response.Unpack<ExecuteResponse>();
    }

    internal static async Task<List<Operation>> OperationsAsync(AsyncServerStreamingCall<Operation> call)
    {
        using (call)
        {
            using var cancel = new CancellationTokenSource(Timeout);
            var operations = new List<Operation>();
            await foreach (var operation in call.ResponseStream.ReadAllAsync(cancel.Token))
                operations.Add(operation);
            return operations;
        }
    }

    internal static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var value = await read();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"condition not met within {Timeout}; last value: {value}");
            await Task.Delay(100);
        }
    }
}
