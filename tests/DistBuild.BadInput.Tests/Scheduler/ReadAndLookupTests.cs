using Build.Bazel.Remote.Execution.V2;
using DistBuild.BadInput.Tests.Support;
using DistBuild.Protocol.Digests;
using Google.ByteStream;
using Google.LongRunning;
using Google.Protobuf;
using Grpc.Core;

namespace DistBuild.BadInput.Tests.Scheduler;

/// <summary>Reads out of range, unknown instance names on every REAPI RPC, unknown operation names.</summary>
[Collection(FarmCollection.Name)]
public sealed class ReadAndLookupTests(Farm farm)
{
    [Theory]
    [InlineData(-1L, 0L, StatusCode.OutOfRange, "read_offset -1")]
    [InlineData(long.MinValue, 0L, StatusCode.OutOfRange, "outside")]
    [InlineData(1000L, 0L, StatusCode.OutOfRange, "read_offset 1000")]
    [InlineData(long.MaxValue, 0L, StatusCode.OutOfRange, "outside")]
    [InlineData(0L, -5L, StatusCode.InvalidArgument, "read_limit -5")]
    public async Task Bytestream_read_outside_the_blob_is_refused(long offset, long limit, StatusCode code, string fragment)
    {
        var digest = await farm.StoreAsync("readable blob");

        await Refusal.AssertAsync(code, async () =>
        {
            using var call = farm.ByteStream.Read(new ReadRequest { ResourceName = $"blobs/{digest.Hash}/{digest.SizeBytes}", ReadOffset = offset, ReadLimit = limit }, deadline: Deadlines.Short());
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }, fragment);
        await farm.AssertHealthyAsync();
    }

    [Theory]
    [InlineData("", "not a read resource name")]
    [InlineData("blobs", "not a read resource name")]
    [InlineData("blobs/abc", "not a read resource name")]
    [InlineData("compressed-blobs/zstd/0000000000000000000000000000000000000000000000000000000000000000/1", "compressed")]
    [InlineData("blobs/0000000000000000000000000000000000000000000000000000000000000000/ten", "size")]
    public async Task Bytestream_read_of_a_malformed_resource_name_is_invalid_argument(string resource, string fragment)
    {
        await Refusal.AssertAsync(StatusCode.InvalidArgument, async () =>
        {
            using var call = farm.ByteStream.Read(new ReadRequest { ResourceName = resource }, deadline: Deadlines.Short());
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }, fragment);
    }

    /// <summary>Every REAPI RPC that carries an instance name, called with one this scheduler does not serve.</summary>
    public static readonly (string Rpc, Func<Farm, string, Task> Call)[] InstanceRpcs =
    [
        ("GetCapabilities", (f, i) => f.Capabilities.GetCapabilitiesAsync(new GetCapabilitiesRequest { InstanceName = i }, deadline: Deadlines.Short()).ResponseAsync),
        ("FindMissingBlobs", (f, i) => f.Cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { InstanceName = i, BlobDigests = { Digests.Empty } }, deadline: Deadlines.Short()).ResponseAsync),
        ("BatchUpdateBlobs", (f, i) => f.Cas.BatchUpdateBlobsAsync(new BatchUpdateBlobsRequest
        {
            InstanceName = i,
            Requests = { new BatchUpdateBlobsRequest.Types.Request { Digest = Digests.Compute("instance blob"u8), Data = ByteString.CopyFromUtf8("instance blob") } },
        }, deadline: Deadlines.Short()).ResponseAsync),
        ("BatchReadBlobs", (f, i) => f.Cas.BatchReadBlobsAsync(new BatchReadBlobsRequest { InstanceName = i, Digests = { Digests.Empty } }, deadline: Deadlines.Short()).ResponseAsync),
        ("GetTree", async (f, i) =>
        {
            using var call = f.Cas.GetTree(new GetTreeRequest { InstanceName = i, RootDigest = Digests.Empty }, deadline: Deadlines.Short());
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }),
        ("GetActionResult", (f, i) => f.ActionCache.GetActionResultAsync(new GetActionResultRequest { InstanceName = i, ActionDigest = Digests.Empty }, deadline: Deadlines.Short()).ResponseAsync),
        ("UpdateActionResult", (f, i) => f.ActionCache.UpdateActionResultAsync(new UpdateActionResultRequest { InstanceName = i, ActionDigest = Digests.Compute("instance action"u8), ActionResult = new ActionResult() }, deadline: Deadlines.Short()).ResponseAsync),
        ("Execute", (f, i) => ExecuteCalls.ExecuteAsync(f, new ExecuteRequest { InstanceName = i, ActionDigest = Digests.Compute("instance action"u8) })),
        ("ByteStream.Read", async (f, i) =>
        {
            using var call = f.ByteStream.Read(new ReadRequest { ResourceName = $"{i}/blobs/{Digests.Empty.Hash}/0" }, deadline: Deadlines.Short());
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }),
        ("ByteStream.Write", async (f, i) =>
        {
            var digest = Digests.Compute("instance blob"u8);
            using var call = f.ByteStream.Write(deadline: Deadlines.Short());
            await call.RequestStream.WriteAsync(new WriteRequest { ResourceName = $"{i}/uploads/{Guid.NewGuid()}/blobs/{digest.Hash}/{digest.SizeBytes}", Data = ByteString.CopyFromUtf8("instance blob"), FinishWrite = true });
            await call.RequestStream.CompleteAsync();
            await call;
        }),
        ("ByteStream.QueryWriteStatus", (f, i) => f.ByteStream.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = $"{i}/uploads/{Guid.NewGuid()}/blobs/{Digests.Empty.Hash}/0" }, deadline: Deadlines.Short()).ResponseAsync),
    ];

    public static TheoryData<string, string> InstanceCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (rpc, _) in InstanceRpcs)
        {
            data.Add(rpc, "other");
            data.Add(rpc, "a/b/c");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(InstanceCases))]
    public async Task Unknown_instance_name_is_invalid_argument_naming_it(string rpc, string instance)
    {
        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => InstanceRpcs.Single(r => r.Rpc == rpc).Call(farm, instance), "unknown instance name", instance);
        await farm.AssertHealthyAsync(Digests.Compute("instance blob"u8));
    }

    [Theory]
    [InlineData("no-such-operation", StatusCode.NotFound, "not known")]
    [InlineData("operations/../../etc/passwd", StatusCode.NotFound, "not known")]
    [InlineData("", StatusCode.InvalidArgument, "name is empty")]
    public async Task WaitExecution_of_an_unknown_operation_is_refused_and_tells_the_client_to_execute_again(string name, StatusCode code, string fragment)
    {
        await Refusal.AssertAsync(code, async () =>
        {
            using var call = farm.Execution.WaitExecution(new WaitExecutionRequest { Name = name }, deadline: Deadlines.Short());
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }, fragment);
        await farm.AssertHealthyAsync();
    }

    [Theory]
    [InlineData("no-such-operation", StatusCode.NotFound, "not known")]
    [InlineData("", StatusCode.InvalidArgument, "name is empty")]
    public async Task CancelOperation_of_an_unknown_operation_is_refused(string name, StatusCode code, string fragment)
    {
        await Refusal.AssertAsync(code, () => new Operations.OperationsClient(farm.Channel).CancelOperationAsync(new CancelOperationRequest { Name = name }, deadline: Deadlines.Short()).ResponseAsync, fragment);
        await farm.AssertHealthyAsync();
    }

    [Fact]
    public async Task GetTree_with_a_page_token_it_never_issued_is_invalid_argument()
    {
        var root = await farm.StoreAsync(new Build.Bazel.Remote.Execution.V2.Directory());

        await Refusal.AssertAsync(StatusCode.InvalidArgument, async () =>
        {
            using var call = farm.Cas.GetTree(new GetTreeRequest { RootDigest = root, PageToken = "not-a-token" }, deadline: Deadlines.Short());
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }, "page_token");
    }

    [Fact]
    public async Task GetTree_of_a_blob_that_is_not_a_directory_is_invalid_argument()
    {
        var notDirectory = await farm.StoreAsync(ByteString.CopyFrom(0x0A, 0x7F, 0x01));

        await Refusal.AssertAsync(StatusCode.InvalidArgument, async () =>
        {
            using var call = farm.Cas.GetTree(new GetTreeRequest { RootDigest = notDirectory }, deadline: Deadlines.Short());
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }, "not a Directory");
        await farm.AssertHealthyAsync();
    }
}
