using Build.Bazel.Remote.Execution.V2;
using DistBuild.BadInput.Tests.Support;
using DistBuild.Protocol.Digests;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;

namespace DistBuild.BadInput.Tests.Scheduler;

/// <summary>Malformed digests in every scheduler RPC that takes one: each is INVALID_ARGUMENT naming what is wrong, and nothing is stored.</summary>
[Collection(FarmCollection.Name)]
public sealed class BadDigestTests(Farm farm)
{
    private static readonly string Valid = Digests.Compute("x"u8).Hash;

    /// <summary>A malformed digest and a fragment the refusal must contain.</summary>
    public static readonly (string Name, Func<Digest> Digest, string Fragment)[] Malformed =
    [
        ("bad hex", () => new Digest { Hash = new string('g', 64), SizeBytes = 1 }, "hexadecimal"),
        ("too short", () => new Digest { Hash = Valid[..63], SizeBytes = 1 }, "63 characters"),
        ("too long", () => new Digest { Hash = Valid + "0", SizeBytes = 1 }, "65 characters"),
        ("uppercase", () => new Digest { Hash = Valid.ToUpperInvariant(), SizeBytes = 1 }, "lowercase"),
        ("empty hash", () => new Digest { SizeBytes = 1 }, "0 characters"),
        ("negative size", () => new Digest { Hash = Valid, SizeBytes = -1 }, "negative"),
        ("size long.MinValue", () => new Digest { Hash = Valid, SizeBytes = long.MinValue }, "negative"),
    ];

    /// <summary>Each RPC called with one digest, answering the status the server gave (top-level or per entry).</summary>
    public static readonly (string Rpc, Func<Farm, Digest, Task<(StatusCode Code, string Detail)>> Call)[] Rpcs =
    [
        ("FindMissingBlobs", (f, d) => Top(() => f.Cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { d } }, deadline: Deadlines.Short()).ResponseAsync)),
        ("BatchUpdateBlobs", async (f, d) =>
        {
            var response = await f.Cas.BatchUpdateBlobsAsync(new BatchUpdateBlobsRequest { Requests = { new BatchUpdateBlobsRequest.Types.Request { Digest = d, Data = ByteString.CopyFromUtf8("x") } } }, deadline: Deadlines.Short());
            return ((StatusCode)response.Responses.Single().Status.Code, response.Responses.Single().Status.Message);
        }),
        ("BatchReadBlobs", async (f, d) =>
        {
            var response = await f.Cas.BatchReadBlobsAsync(new BatchReadBlobsRequest { Digests = { d } }, deadline: Deadlines.Short());
            return ((StatusCode)response.Responses.Single().Status.Code, response.Responses.Single().Status.Message);
        }),
        ("GetTree", (f, d) => Top(async () =>
        {
            using var call = f.Cas.GetTree(new GetTreeRequest { RootDigest = d }, deadline: Deadlines.Short());
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        })),
        ("GetActionResult", (f, d) => Top(() => f.ActionCache.GetActionResultAsync(new GetActionResultRequest { ActionDigest = d }, deadline: Deadlines.Short()).ResponseAsync)),
        ("UpdateActionResult", (f, d) => Top(() => f.ActionCache.UpdateActionResultAsync(new UpdateActionResultRequest { ActionDigest = d, ActionResult = new ActionResult() }, deadline: Deadlines.Short()).ResponseAsync)),
        ("UpdateActionResult output file", (f, d) => Top(() => f.ActionCache.UpdateActionResultAsync(new UpdateActionResultRequest
        {
            ActionDigest = Digests.Compute("some action"u8),
            ActionResult = new ActionResult { OutputFiles = { new OutputFile { Path = "out", Digest = d } } },
        }, deadline: Deadlines.Short()).ResponseAsync)),
        ("UpdateActionResult stdout", (f, d) => Top(() => f.ActionCache.UpdateActionResultAsync(new UpdateActionResultRequest
        {
            ActionDigest = Digests.Compute("some action"u8),
            ActionResult = new ActionResult { StdoutDigest = d },
        }, deadline: Deadlines.Short()).ResponseAsync)),
        ("Execute", (f, d) => Top(() => ExecuteCalls.ExecuteAsync(f, new ExecuteRequest { ActionDigest = d }))),
        ("ByteStream.Read", (f, d) => Top(async () =>
        {
            using var call = f.ByteStream.Read(new ReadRequest { ResourceName = $"blobs/{d.Hash}/{d.SizeBytes}" }, deadline: Deadlines.Short());
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        })),
        ("ByteStream.Write", (f, d) => Top(async () =>
        {
            using var call = f.ByteStream.Write(deadline: Deadlines.Short());
            await call.RequestStream.WriteAsync(new WriteRequest { ResourceName = $"uploads/{Guid.NewGuid()}/blobs/{d.Hash}/{d.SizeBytes}", Data = ByteString.CopyFromUtf8("x"), FinishWrite = true });
            await call.RequestStream.CompleteAsync();
            await call;
        })),
        ("ByteStream.QueryWriteStatus", (f, d) => Top(() => f.ByteStream.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = $"uploads/{Guid.NewGuid()}/blobs/{d.Hash}/{d.SizeBytes}" }, deadline: Deadlines.Short()).ResponseAsync)),
    ];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (rpc, _) in Rpcs)
        {
            foreach (var (digest, _, _) in Malformed)
                data.Add(rpc, digest);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Malformed_digest_is_invalid_argument_naming_the_flaw(string rpc, string digest)
    {
        var (_, make, fragment) = Malformed.Single(m => m.Name == digest);
        var (code, detail) = await Rpcs.Single(r => r.Rpc == rpc).Call(farm, make());

        // Resource names carry the size as text: a negative size is not a number there.
        var expectedFragment = rpc.StartsWith("ByteStream") && fragment == "negative" ? "size" : fragment;
        Refusal.AssertStatus(StatusCode.InvalidArgument, code, detail, expectedFragment);
        await farm.AssertHealthyAsync();
    }

    [Fact]
    public async Task Execute_without_an_action_digest_is_invalid_argument_naming_the_field()
    {
        var (code, detail) = await Top(() => ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest()));

        Refusal.AssertStatus(StatusCode.InvalidArgument, code, detail, "action_digest", "missing");
    }

    [Fact]
    public async Task GetTree_and_action_cache_calls_without_a_digest_are_invalid_argument_naming_the_field()
    {
        var (code, detail) = await Rpcs.Single(r => r.Rpc == "GetTree").Call(farm, null!);
        Refusal.AssertStatus(StatusCode.InvalidArgument, code, detail, "root_digest", "missing");
        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => farm.ActionCache.GetActionResultAsync(new GetActionResultRequest(), deadline: Deadlines.Short()).ResponseAsync, "action_digest");
        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => farm.ActionCache.UpdateActionResultAsync(
            new UpdateActionResultRequest { ActionDigest = Digests.Compute("a"u8) }, deadline: Deadlines.Short()).ResponseAsync, "action_result");
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(Farm.MaxBlobBytes + 1)]
    public async Task Well_formed_digest_of_a_huge_blob_is_missing_and_cannot_be_uploaded(long size)
    {
        var huge = new Digest { Hash = Valid, SizeBytes = size };

        var missing = await farm.Cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { huge } }, deadline: Deadlines.Short());
        Assert.Equal([huge], missing.MissingBlobDigests);
        // A batch asking for more than a batch can carry is refused as a whole, as REAPI says; else the blob is simply not there.
        var (code, detail) = await Top(async () =>
        {
            var read = await farm.Cas.BatchReadBlobsAsync(new BatchReadBlobsRequest { Digests = { huge } }, deadline: Deadlines.Short());
            throw new RpcException(new Status((StatusCode)read.Responses.Single().Status.Code, read.Responses.Single().Status.Message));
        });
        if (size > Farm.MaxBlobBytes * 1024)
            Refusal.AssertStatus(StatusCode.InvalidArgument, code, detail, "ByteStream");
        else
            Refusal.AssertStatus(StatusCode.NotFound, code, detail, "not in the CAS");
        var update = await farm.Cas.BatchUpdateBlobsAsync(new BatchUpdateBlobsRequest { Requests = { new BatchUpdateBlobsRequest.Types.Request { Digest = huge, Data = ByteString.CopyFromUtf8("x") } } }, deadline: Deadlines.Short());
        Refusal.AssertStatus(StatusCode.InvalidArgument, update.Responses.Single().Status, "at most", "MaxBlobBytes");
        await Refusal.AssertAsync(StatusCode.InvalidArgument, async () =>
        {
            using var call = farm.ByteStream.Write(deadline: Deadlines.Short());
            await call.RequestStream.WriteAsync(new WriteRequest { ResourceName = $"uploads/{Guid.NewGuid()}/blobs/{huge.Hash}/{huge.SizeBytes}", Data = ByteString.CopyFromUtf8("x") });
            await call.RequestStream.CompleteAsync();
            await call;
        }, "at most", "MaxBlobBytes");
        await Refusal.AssertAsync(StatusCode.NotFound, () => farm.ActionCache.GetActionResultAsync(new GetActionResultRequest { ActionDigest = huge }, deadline: Deadlines.Short()).ResponseAsync);
        await farm.AssertHealthyAsync(huge);
    }

    internal static async Task<(StatusCode, string)> Top(Func<Task> call)
    {
        try
        {
            await call();
            return (StatusCode.OK, "");
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail);
        }
    }
}
