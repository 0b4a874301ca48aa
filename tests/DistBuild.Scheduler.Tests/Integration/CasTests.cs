using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Scheduler.Tests.Support;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;

namespace DistBuild.Scheduler.Tests.Integration;

/// <summary>The scheduler's CAS, capabilities and action cache over the wire, through the generated REAPI stubs.</summary>
public sealed class CasTests(SchedulerHost host) : IClassFixture<SchedulerHost>
{
    private ContentAddressableStorage.ContentAddressableStorageClient Cas => new(host.Channel);
    private ByteStream.ByteStreamClient ByteStream => new(host.Channel);

    [Fact]
    public async Task Capabilities_announce_sha256_action_cache_updates_and_execution()
    {
        var capabilities = await new Build.Bazel.Remote.Execution.V2.Capabilities.CapabilitiesClient(host.Channel).GetCapabilitiesAsync(new GetCapabilitiesRequest());

        Assert.Equal([DigestFunction.Types.Value.Sha256], capabilities.CacheCapabilities.DigestFunctions);
        Assert.True(capabilities.CacheCapabilities.ActionCacheUpdateCapabilities.UpdateEnabled);
        Assert.True(capabilities.CacheCapabilities.MaxBatchTotalSizeBytes > 0);
        Assert.True(capabilities.ExecutionCapabilities.ExecEnabled);
        Assert.Equal(DigestFunction.Types.Value.Sha256, capabilities.ExecutionCapabilities.DigestFunction);
        Assert.Equal((2, 0), (capabilities.LowApiVersion.Major, capabilities.LowApiVersion.Minor));
        Assert.Equal((2, 3), (capabilities.HighApiVersion.Major, capabilities.HighApiVersion.Minor));
    }

    [Fact]
    public async Task Small_blob_uploaded_in_a_batch_reads_back_and_is_no_longer_missing()
    {
        var data = ByteString.CopyFromUtf8("small blob " + Guid.NewGuid());
        var digest = Digests.Compute(data.Span);
        var unknown = Digests.Compute(Guid.NewGuid().ToByteArray());
        Assert.Equal(2, (await Cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { digest, unknown } })).MissingBlobDigests.Count);

        await Blobs.UploadAsync(host.Channel, data);

        var missing = await Cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { digest, unknown, Digests.Empty } });
        Assert.Equal([unknown], missing.MissingBlobDigests);
        var read = await Cas.BatchReadBlobsAsync(new BatchReadBlobsRequest { Digests = { digest, unknown } });
        Assert.Equal(data, read.Responses[0].Data);
        Assert.Equal((int)StatusCode.NotFound, read.Responses[1].Status.Code);
    }

    [Fact]
    public async Task Large_blob_streams_through_ByteStream_both_ways_and_with_offsets()
    {
        var bytes = new byte[5 * 1024 * 1024 + 123];
        new Random(7).NextBytes(bytes);
        var digest = Digests.Compute(bytes);
        var client = new CasClient(host.Channel, "");

        await client.UploadAsync([BlobSource.FromBytes(ByteString.CopyFrom(bytes))], CancellationToken.None);

        Assert.Equal(bytes, (await client.ReadAsync(digest, CancellationToken.None)).ToByteArray());
        using var call = ByteStream.Read(new ReadRequest { ResourceName = ResourceNames.ForRead("", digest), ReadOffset = 1_000_000, ReadLimit = 3_000_000 });
        var chunks = new List<ByteString>();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
            chunks.Add(chunk.Data);
        Assert.All(chunks, c => Assert.InRange(c.Length, 1, 1 << 20));
        Assert.Equal(bytes.AsSpan(1_000_000, 3_000_000).ToArray(), chunks.SelectMany(c => c.ToByteArray()).ToArray());
        var status = await ByteStream.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = ResourceNames.ForWrite("", Guid.NewGuid(), digest) });
        Assert.True(status.Complete);
    }

    [Fact]
    public async Task Large_file_uploads_through_ByteStream_and_downloads_into_a_file_with_its_bytes()
    {
        // Not a multiple of the upload's chunk or file-read size, so the last chunk of each is a short one.
        var bytes = new byte[(3 << 20) + 4321];
        new Random(11).NextBytes(bytes);
        var digest = Digests.Compute(bytes);
        var directory = DistBuild.Testing.TemporaryDirectory.Create("cas-large-file");
        var source = Path.Combine(directory, "libbig.rlib");
        File.WriteAllBytes(source, bytes);
        var client = new CasClient(host.Channel, "");

        await client.UploadAsync([BlobSource.FromFile(source, digest)], CancellationToken.None);
        var downloaded = Path.Combine(directory, "out", "libbig.rlib");
        await client.DownloadFilesAsync([new FileDownload(digest, downloaded, false)], CancellationToken.None);

        Assert.Empty(await client.FindMissingAsync([digest], CancellationToken.None));
        Assert.Equal(bytes, File.ReadAllBytes(downloaded));
    }

    [Fact]
    public async Task Blob_with_the_wrong_digest_is_refused_and_nothing_is_stored()
    {
        var data = ByteString.CopyFromUtf8("what was sent " + Guid.NewGuid());
        var claimed = Digests.Compute(System.Text.Encoding.UTF8.GetBytes("what was claimed " + Guid.NewGuid()));
        claimed.SizeBytes = data.Length;

        var response = await Cas.BatchUpdateBlobsAsync(new BatchUpdateBlobsRequest { Requests = { new BatchUpdateBlobsRequest.Types.Request { Digest = claimed, Data = data } } });

        Assert.Equal((int)StatusCode.InvalidArgument, response.Responses.Single().Status.Code);
        Assert.Equal([claimed], (await Cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { claimed } })).MissingBlobDigests);
    }

    [Fact]
    public async Task ByteStream_write_with_the_wrong_content_is_refused_and_nothing_is_stored()
    {
        var claimed = Digests.Compute(System.Text.Encoding.UTF8.GetBytes("claimed " + Guid.NewGuid()));
        using var call = ByteStream.Write();
        await call.RequestStream.WriteAsync(new WriteRequest
        {
            ResourceName = ResourceNames.ForWrite("", Guid.NewGuid(), claimed),
            FinishWrite = true,
            Data = ByteString.CopyFrom(new byte[claimed.SizeBytes]),
        });
        await call.RequestStream.CompleteAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("does not match", error.Status.Detail);
        Assert.Equal([claimed], (await Cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { claimed } })).MissingBlobDigests);
    }

    [Fact]
    public async Task ByteStream_write_in_chunks_is_stored_and_reads_back()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("chunked " + Guid.NewGuid(), 1000)));
        var digest = Digests.Compute(bytes);
        var resource = ResourceNames.ForWrite("", Guid.NewGuid(), digest);
        using (var call = ByteStream.Write())
        {
            for (var offset = 0; offset < bytes.Length; offset += 10_000)
            {
                var length = Math.Min(10_000, bytes.Length - offset);
                await call.RequestStream.WriteAsync(new WriteRequest
                {
                    ResourceName = offset == 0 ? resource : "",
                    WriteOffset = offset,
                    FinishWrite = offset + length == bytes.Length,
                    Data = ByteString.CopyFrom(bytes, offset, length),
                });
            }
            await call.RequestStream.CompleteAsync();
            Assert.Equal(bytes.Length, (await call.ResponseAsync).CommittedSize);
        }

        using var read = ByteStream.Read(new ReadRequest { ResourceName = ResourceNames.ForRead("", digest) });
        var received = new MemoryStream();
        await foreach (var chunk in read.ResponseStream.ReadAllAsync())
            chunk.Data.WriteTo(received);
        Assert.Equal(bytes, received.ToArray());
    }

    [Fact]
    public async Task Interrupted_ByteStream_write_resumes_at_the_committed_size()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("resumed " + Guid.NewGuid(), 500)));
        var digest = Digests.Compute(bytes);
        var resource = ResourceNames.ForWrite("", Guid.NewGuid(), digest);
        using (var first = ByteStream.Write())
        {
            await first.RequestStream.WriteAsync(new WriteRequest { ResourceName = resource, Data = ByteString.CopyFrom(bytes, 0, 1000) });
            await first.RequestStream.CompleteAsync();
            Assert.Equal(1000, (await first.ResponseAsync).CommittedSize);
        }

        var status = await ByteStream.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = resource });
        Assert.Equal((1000, false), (status.CommittedSize, status.Complete));

        using (var second = ByteStream.Write())
        {
            await second.RequestStream.WriteAsync(new WriteRequest { ResourceName = resource, WriteOffset = 1000, FinishWrite = true, Data = ByteString.CopyFrom(bytes, 1000, bytes.Length - 1000) });
            await second.RequestStream.CompleteAsync();
            Assert.Equal(bytes.Length, (await second.ResponseAsync).CommittedSize);
        }
        Assert.Empty((await Cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { digest } })).MissingBlobDigests);
    }

    [Fact]
    public async Task Reading_a_missing_blob_is_NOT_FOUND()
    {
        var digest = Digests.Compute(Guid.NewGuid().ToByteArray());
        using var call = ByteStream.Read(new ReadRequest { ResourceName = ResourceNames.ForRead("", digest) });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Theory]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789", 3)]
    [InlineData("zz", 3)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", -1)]
    public async Task Malformed_digest_is_INVALID_ARGUMENT(string hash, long size)
    {
        var digest = new Digest { Hash = hash, SizeBytes = size };

        var findError = await Assert.ThrowsAsync<RpcException>(() => Cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { digest } }).ResponseAsync);
        var actionCacheError = await Assert.ThrowsAsync<RpcException>(() =>
            new Build.Bazel.Remote.Execution.V2.ActionCache.ActionCacheClient(host.Channel).GetActionResultAsync(new GetActionResultRequest { ActionDigest = digest }).ResponseAsync);
        var read = await Cas.BatchReadBlobsAsync(new BatchReadBlobsRequest { Digests = { digest } });

        Assert.Equal(StatusCode.InvalidArgument, findError.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, actionCacheError.StatusCode);
        Assert.Equal((int)StatusCode.InvalidArgument, read.Responses.Single().Status.Code);
    }

    [Fact]
    public async Task Unknown_instance_name_is_INVALID_ARGUMENT_naming_it()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { InstanceName = "other-farm", BlobDigests = { Digests.Empty } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("'other-farm'", error.Status.Detail);
    }

    [Fact]
    public async Task Action_result_round_trips_through_the_action_cache()
    {
        var actions = new Build.Bazel.Remote.Execution.V2.ActionCache.ActionCacheClient(host.Channel);
        var actionDigest = Digests.Compute(Guid.NewGuid().ToByteArray());
        var stdout = await Blobs.UploadAsync(host.Channel, "compiled fine");
        var result = new ActionResult { ExitCode = 0, StdoutDigest = stdout, OutputFiles = { new OutputFile { Path = "libx.rlib", Digest = await Blobs.UploadAsync(host.Channel, "rlib") } } };

        var miss = await Assert.ThrowsAsync<RpcException>(() => actions.GetActionResultAsync(new GetActionResultRequest { ActionDigest = actionDigest }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, miss.StatusCode);

        await actions.UpdateActionResultAsync(new UpdateActionResultRequest { ActionDigest = actionDigest, ActionResult = result });

        Assert.Equal(result, await actions.GetActionResultAsync(new GetActionResultRequest { ActionDigest = actionDigest }));
        var inlined = await actions.GetActionResultAsync(new GetActionResultRequest { ActionDigest = actionDigest, InlineStdout = true });
        Assert.Equal("compiled fine", inlined.StdoutRaw.ToStringUtf8());
    }

    [Fact]
    public async Task GetTree_returns_every_directory_of_a_tree()
    {
        var leaf = new Build.Bazel.Remote.Execution.V2.Directory { Files = { new FileNode { Name = Guid.NewGuid() + ".rs", Digest = Digests.Empty } } };
        var middle = new Build.Bazel.Remote.Execution.V2.Directory { Directories = { new DirectoryNode { Name = "leaf", Digest = await Blobs.UploadAsync(host.Channel, leaf) } } };
        var root = new Build.Bazel.Remote.Execution.V2.Directory { Directories = { new DirectoryNode { Name = "middle", Digest = await Blobs.UploadAsync(host.Channel, middle) } } };
        var rootDigest = await Blobs.UploadAsync(host.Channel, root);

        using var call = Cas.GetTree(new GetTreeRequest { RootDigest = rootDigest });
        var directories = new List<Build.Bazel.Remote.Execution.V2.Directory>();
        await foreach (var page in call.ResponseStream.ReadAllAsync())
            directories.AddRange(page.Directories);

        Assert.Equal([root, middle, leaf], directories);
    }
}
