using Build.Bazel.Remote.Execution.V2;
using DistBuild.BadInput.Tests.Support;
using DistBuild.Protocol.Digests;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;

namespace DistBuild.BadInput.Tests.Scheduler;

/// <summary>Writes the CAS must refuse: content not matching its digest, blobs over the limit, broken ByteStream writes.</summary>
[Collection(FarmCollection.Name)]
public sealed class BlobWriteTests(Farm farm)
{
    private static ByteString Unique(string label) => ByteString.CopyFromUtf8($"{label} {Guid.NewGuid()}");

    [Fact]
    public async Task Batch_update_with_content_not_matching_its_digest_is_refused_per_entry_and_nothing_is_stored()
    {
        var good = Unique("good");
        var claimed = Digests.Compute(Unique("claimed").Span);
        var shortOfSize = Digests.Compute(good.Span);
        shortOfSize.SizeBytes += 1;

        var response = await farm.Cas.BatchUpdateBlobsAsync(new BatchUpdateBlobsRequest
        {
            Requests =
            {
                new BatchUpdateBlobsRequest.Types.Request { Digest = claimed, Data = Unique("other") },
                new BatchUpdateBlobsRequest.Types.Request { Digest = shortOfSize, Data = good },
            },
        }, deadline: Deadlines.Short());

        Refusal.AssertStatus(StatusCode.InvalidArgument, response.Responses[0].Status, "does not match", claimed.Hash);
        Refusal.AssertStatus(StatusCode.InvalidArgument, response.Responses[1].Status, "does not match");
        await farm.AssertHealthyAsync(claimed, Digests.Compute(good.Span));
    }

    [Fact]
    public async Task Batch_update_with_a_compressor_is_refused_per_entry()
    {
        var data = Unique("compressed");
        var response = await farm.Cas.BatchUpdateBlobsAsync(new BatchUpdateBlobsRequest
        {
            Requests = { new BatchUpdateBlobsRequest.Types.Request { Digest = Digests.Compute(data.Span), Data = data, Compressor = Compressor.Types.Value.Zstd } },
        }, deadline: Deadlines.Short());

        Refusal.AssertStatus(StatusCode.InvalidArgument, response.Responses.Single().Status, "compressor");
        await farm.AssertHealthyAsync(Digests.Compute(data.Span));
    }

    [Fact]
    public async Task Blob_larger_than_MaxBlobBytes_is_refused_by_batch_and_by_bytestream_naming_the_setting()
    {
        var big = ByteString.CopyFrom(new byte[Farm.MaxBlobBytes + 1].Select((_, i) => (byte)(i * 7 + DateTime.UtcNow.Ticks)).ToArray());
        var digest = Digests.Compute(big.Span);

        var batch = await farm.Cas.BatchUpdateBlobsAsync(new BatchUpdateBlobsRequest { Requests = { new BatchUpdateBlobsRequest.Types.Request { Digest = digest, Data = big } } }, deadline: Deadlines.Short());
        Refusal.AssertStatus(StatusCode.InvalidArgument, batch.Responses.Single().Status, $"at most {Farm.MaxBlobBytes}", "Scheduler:MaxBlobBytes");

        var resource = Upload(digest);
        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => WriteAsync(resource, [(0, big, true, resource)]), $"at most {Farm.MaxBlobBytes}", "Scheduler:MaxBlobBytes");
        await farm.AssertHealthyAsync(digest);
    }

    public static TheoryData<string> BrokenWrites() => new(WriteCases.Keys);

    /// <summary>ByteStream writes that break the protocol; each entry: the messages to send and fragments the refusal names.</summary>
    private static readonly Dictionary<string, (Func<string, ByteString, (long Offset, ByteString Data, bool Finish, string? Name)[]> Messages, string[] Fragments)> WriteCases = new()
    {
        ["first write at a non-zero offset"] = ((_, d) => [(5, d, true, null)], ["write_offset 5", "0 bytes committed"]),
        ["offset that skips bytes"] = ((_, d) => [(0, Part(d, 0, 4), false, null), (10, Part(d, 4), true, null)], ["write_offset 10", "4 bytes committed"]),
        ["offset that repeats bytes"] = ((_, d) => [(0, Part(d, 0, 4), false, null), (2, Part(d, 2), true, null)], ["write_offset 2"]),
        ["data past the declared size"] = ((_, d) => [(0, ByteString.CopyFrom([.. d.Span, .. "extra"u8]), true, null)], ["more than its"]),
        ["finish before all bytes"] = ((_, d) => [(0, Part(d, 0, d.Length - 1), true, null)], ["does not match", "nothing was stored"]),
        ["resource name changes between messages"] = ((n, d) => [(0, Part(d, 0, 4), false, null), (4, Part(d, 4), true, n.Replace("uploads/", "uploads/0"))], ["switched"]),
        ["empty resource name"] = ((_, d) => [(0, d, true, "")], ["not a write resource name"]),
        ["read resource name"] = ((n, d) => [(0, d, true, n[(n.IndexOf("/blobs/") + 1)..])], ["not a write resource name"]),
        ["compressed upload"] = ((n, d) => [(0, d, true, n.Replace("/blobs/", "/compressed-blobs/zstd/"))], ["compressed"]),
    };

    [Theory]
    [MemberData(nameof(BrokenWrites))]
    public async Task Broken_bytestream_write_is_refused_naming_the_problem_and_stores_nothing(string name)
    {
        var data = Unique("write " + name);
        var digest = Digests.Compute(data.Span);
        var resource = Upload(digest);
        var (messages, fragments) = WriteCases[name];

        await Refusal.AssertAsync(StatusCode.InvalidArgument,
            () => WriteAsync(resource, messages(resource, data).Select(m => (m.Offset, m.Data, m.Finish, m.Name ?? resource)).ToArray()),
            fragments);

        await farm.AssertHealthyAsync(digest);
        // A refused write leaves nothing to resume either.
        await Refusal.AssertAsync(StatusCode.NotFound, () => farm.ByteStream.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = resource }, deadline: Deadlines.Short()).ResponseAsync, "no write in progress");
    }

    [Fact]
    public async Task Write_stream_without_any_message_is_invalid_argument()
    {
        await Refusal.AssertAsync(StatusCode.InvalidArgument, async () =>
        {
            using var call = farm.ByteStream.Write(deadline: Deadlines.Short());
            await call.RequestStream.CompleteAsync();
            await call;
        }, "no request");
        await farm.AssertHealthyAsync();
    }

    [Fact]
    public async Task Unfinished_write_is_kept_for_resumption_but_not_stored()
    {
        var data = Unique("unfinished");
        var digest = Digests.Compute(data.Span);
        var resource = Upload(digest);

        var committed = await WriteAsync(resource, [(0, Part(data, 0, 3), false, resource)]);

        Assert.Equal(3, committed);
        Assert.Equal(3, (await farm.ByteStream.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = resource }, deadline: Deadlines.Short())).CommittedSize);
        await farm.AssertHealthyAsync(digest);
    }

    private static ByteString Part(ByteString data, int start, int? length = null) =>
        ByteString.CopyFrom(data.Span.Slice(start, length ?? data.Length - start));

    private static string Upload(Digest digest) => $"uploads/{Guid.NewGuid()}/blobs/{digest.Hash}/{digest.SizeBytes}";

    private async Task<long> WriteAsync(string resource, (long Offset, ByteString Data, bool Finish, string Name)[] messages)
    {
        using var call = farm.ByteStream.Write(deadline: Deadlines.Short());
        try
        {
            foreach (var (offset, data, finish, name) in messages)
                await call.RequestStream.WriteAsync(new WriteRequest { ResourceName = name, WriteOffset = offset, Data = data, FinishWrite = finish });
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server answered early; its status comes with the response.
        }
        return (await call).CommittedSize;
    }
}
