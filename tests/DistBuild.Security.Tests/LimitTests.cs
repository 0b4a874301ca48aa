using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Digests;
using DistBuild.Security.Tests.Support;
using DistBuild.Testing;
using Google.ByteStream;
using Google.LongRunning;
using Google.Protobuf;
using Grpc.Core;

namespace DistBuild.Security.Tests;

public sealed class LimitTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_blob_over_the_size_limit_is_refused_by_batch_update_and_by_bytestream_write()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Scheduler:MaxBlobBytes=1000");
        using var channel = GrpcChannels.Create(scheduler.Url);
        var data = ByteString.CopyFrom(new byte[2000]);
        var digest = Digests.Compute(data.Span);

        var batch = await new ContentAddressableStorage.ContentAddressableStorageClient(channel).BatchUpdateBlobsAsync(
            new BatchUpdateBlobsRequest { Requests = { new BatchUpdateBlobsRequest.Types.Request { Digest = digest, Data = data } } },
            deadline: DateTime.UtcNow + CallTimeout);
        var status = Assert.Single(batch.Responses).Status;
        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        Assert.Contains("Scheduler:MaxBlobBytes", status.Message);

        using var write = new ByteStream.ByteStreamClient(channel).Write(deadline: DateTime.UtcNow + CallTimeout);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await write.RequestStream.WriteAsync(new WriteRequest
            {
                ResourceName = ResourceNames.ForWrite("", Guid.NewGuid(), digest),
                Data = data,
                FinishWrite = true,
            });
            await write.RequestStream.CompleteAsync();
            await write.ResponseAsync;
        });
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("Scheduler:MaxBlobBytes", refused.Status.Detail);
        Assert.Equal([digest], await new CasClient(channel, "").FindMissingAsync([digest], CancellationToken.None));
    }

    [Fact]
    public async Task An_action_whose_input_tree_is_over_the_file_or_byte_limit_is_invalid_argument_naming_the_limit()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Scheduler:MaxInputFiles=3", "--Scheduler:MaxInputBytes=1000");
        using var channel = GrpcChannels.Create(scheduler.Url);
        var directory = TemporaryDirectory.Create("limits");

        var manyFiles = Enumerable.Range(0, 5).Select(i => Write(directory, $"f{i}.rs", $"// file {i}\n")).ToList();
        var tooMany = await ExecuteExpectingErrorAsync(channel, RustActions.Prepare(directory, manyFiles, ["rustc", "f0.rs"], []));
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
        Assert.Contains("Scheduler:MaxInputFiles", tooMany.Status.Detail);
        Assert.Contains("5 files", tooMany.Status.Detail);

        var big = Write(directory, "big.rs", new string('/', 2000));
        var tooBig = await ExecuteExpectingErrorAsync(channel, RustActions.Prepare(directory, [big], ["rustc", "big.rs"], []));
        Assert.Equal(StatusCode.InvalidArgument, tooBig.StatusCode);
        Assert.Contains("Scheduler:MaxInputBytes", tooBig.Status.Detail);
    }

    [Fact]
    public async Task A_client_over_its_operation_limit_gets_resource_exhausted_and_a_flood_leaves_the_scheduler_up()
    {
        // No worker: every execution stays queued, so its stream stays open.
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Scheduler:MaxOperationsPerClient=3");
        using var channel = GrpcChannels.Create(scheduler.Url);
        var execution = new Execution.ExecutionClient(channel);
        var directory = TemporaryDirectory.Create("flood");
        var open = new List<AsyncServerStreamingCall<Operation>>();
        try
        {
            for (var i = 0; i < 3; i++)
                open.Add(await StartQueuedAsync(channel, directory, i));

            var refused = await ExecuteExpectingErrorAsync(channel, Action(directory, 99));
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.Contains("Scheduler:MaxOperationsPerClient", refused.Status.Detail);

            // A flood of streams beyond the limit: each is refused, and the scheduler keeps answering.
            var queued = Action(directory, 0).ActionDigest;
            var flood = Enumerable.Range(0, 200).Select(async _ =>
            {
                using var call = execution.Execute(new ExecuteRequest { ActionDigest = queued }, deadline: DateTime.UtcNow + CallTimeout);
                try
                {
                    await call.ResponseStream.MoveNext(CancellationToken.None);
                    return StatusCode.OK;
                }
                catch (RpcException e)
                {
                    return e.StatusCode;
                }
            });
            var codes = await Task.WhenAll(flood);
            Assert.All(codes, code => Assert.Equal(StatusCode.ResourceExhausted, code));
            await new Capabilities.CapabilitiesClient(channel).GetCapabilitiesAsync(new GetCapabilitiesRequest(), deadline: DateTime.UtcNow + CallTimeout);

            // Closing one stream frees its place.
            open[0].Dispose();
            open.RemoveAt(0);
            var deadline = DateTime.UtcNow + CallTimeout;
            while (true)
            {
                try
                {
                    open.Add(await StartQueuedAsync(channel, directory, 3));
                    break;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }
            }
            Assert.False(scheduler.HasExited);
        }
        finally
        {
            foreach (var call in open)
                call.Dispose();
        }
    }

    private static PreparedAction Action(string directory, int index)
    {
        var source = Write(directory, $"queued{index}.rs", $"pub fn f() -> u32 {{ {index} }}\n");
        return RustActions.Prepare(directory, [source], ["rustc", "--crate-type", "lib", $"queued{index}.rs"], []);
    }

    /// <summary>Starts an execution no worker will take and returns its open stream once the first operation arrived.</summary>
    private static async Task<AsyncServerStreamingCall<Operation>> StartQueuedAsync(Grpc.Net.Client.GrpcChannel channel, string directory, int index)
    {
        var prepared = Action(directory, index);
        await new CasClient(channel, "").UploadMissingAsync(prepared.Blobs, CancellationToken.None);
        var call = new Execution.ExecutionClient(channel).Execute(new ExecuteRequest { ActionDigest = prepared.ActionDigest });
        try
        {
            using var first = new CancellationTokenSource(CallTimeout);
            Assert.True(await call.ResponseStream.MoveNext(first.Token));
            Assert.False(call.ResponseStream.Current.Done);
            return call;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    private static async Task<RpcException> ExecuteExpectingErrorAsync(Grpc.Net.Client.GrpcChannel channel, PreparedAction prepared)
    {
        await new CasClient(channel, "").UploadMissingAsync(prepared.Blobs, CancellationToken.None);
        using var call = new Execution.ExecutionClient(channel).Execute(new ExecuteRequest { ActionDigest = prepared.ActionDigest }, deadline: DateTime.UtcNow + CallTimeout);
        return await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });
    }

    private static string Write(string directory, string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
