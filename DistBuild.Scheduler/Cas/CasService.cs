using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using DistBuild.Scheduler.Requests;
using Google.Protobuf;
using Grpc.Core;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.Scheduler.Cas;

/// <summary>REAPI ContentAddressableStorage over <see cref="ContentStore"/>: per-blob statuses in batches, as the standard asks.</summary>
public sealed class CasService(ContentStore store, RequestChecks checks) : ContentAddressableStorage.ContentAddressableStorageBase
{
    /// <summary>Advertised in the capabilities; leaves room under the gRPC message limit for the envelope.</summary>
    public const long MaxBatchTotalSizeBytes = Protocol.Channels.GrpcChannels.MaxMessageSize - (1 << 20);

    private const int DefaultTreePageSize = 1000;

    public override Task<FindMissingBlobsResponse> FindMissingBlobs(FindMissingBlobsRequest request, ServerCallContext context)
    {
        checks.Instance(request.InstanceName);
        RequestChecks.DigestFunction(request.DigestFunction);
        foreach (var digest in request.BlobDigests)
            RequestChecks.Digest(digest, "blob_digests");
        var response = new FindMissingBlobsResponse();
        response.MissingBlobDigests.AddRange(store.FindMissing(request.BlobDigests.DistinctBy(d => d.Key())));
        return Task.FromResult(response);
    }

    public override Task<BatchUpdateBlobsResponse> BatchUpdateBlobs(BatchUpdateBlobsRequest request, ServerCallContext context)
    {
        checks.Instance(request.InstanceName);
        RequestChecks.DigestFunction(request.DigestFunction);
        var response = new BatchUpdateBlobsResponse();
        foreach (var blob in request.Requests)
            response.Responses.Add(new BatchUpdateBlobsResponse.Types.Response { Digest = blob.Digest ?? new Digest(), Status = Update(blob) });
        return Task.FromResult(response);
    }

    private Google.Rpc.Status Update(BatchUpdateBlobsRequest.Types.Request blob)
    {
        if (!Digests.TryValidate(blob.Digest, out var error))
            return RichStatus.Of(StatusCode.InvalidArgument, error);
        if (blob.Compressor != Compressor.Types.Value.Identity)
            return RichStatus.Of(StatusCode.InvalidArgument, $"compressor {blob.Compressor} is not supported");
        try
        {
            store.Write(blob.Digest, blob.Data.Span);
            return RichStatus.Of(StatusCode.OK, "");
        }
        catch (BlobRejectedException e)
        {
            return RichStatus.Of(StatusCode.InvalidArgument, e.Message);
        }
    }

    public override Task<BatchReadBlobsResponse> BatchReadBlobs(BatchReadBlobsRequest request, ServerCallContext context)
    {
        checks.Instance(request.InstanceName);
        RequestChecks.DigestFunction(request.DigestFunction);
        var total = request.Digests.Sum(d => Math.Max(0, d.SizeBytes));
        if (total > MaxBatchTotalSizeBytes)
            throw RequestChecks.Invalid($"the batch asks for {total} bytes, more than the {MaxBatchTotalSizeBytes} this server sends in one batch; read large blobs with ByteStream");
        var response = new BatchReadBlobsResponse();
        foreach (var digest in request.Digests)
        {
            var entry = new BatchReadBlobsResponse.Types.Response { Digest = digest };
            if (!Digests.TryValidate(digest, out var error))
                entry.Status = RichStatus.Of(StatusCode.InvalidArgument, error);
            else if (store.TryRead(digest) is { } data)
            {
                entry.Data = UnsafeByteOperations.UnsafeWrap(data);
                entry.Status = RichStatus.Of(StatusCode.OK, "");
            }
            else
                entry.Status = RichStatus.Of(StatusCode.NotFound, $"blob {Digests.Format(digest)} is not in the CAS");
            response.Responses.Add(entry);
        }
        return Task.FromResult(response);
    }

    /// <summary>
    /// Streams the directories of a tree breadth-first, all pages in one stream. The page token is the position in that order; a
    /// directory missing from the CAS is left out with its subtree, as the standard allows.
    /// </summary>
    public override async Task GetTree(GetTreeRequest request, IServerStreamWriter<GetTreeResponse> responseStream, ServerCallContext context)
    {
        checks.Instance(request.InstanceName);
        RequestChecks.DigestFunction(request.DigestFunction);
        var root = RequestChecks.Digest(request.RootDigest, "root_digest");
        var start = 0;
        if (request.PageToken.Length > 0 && (!int.TryParse(request.PageToken, out start) || start < 0))
            throw RequestChecks.Invalid($"page_token '{request.PageToken}' was not issued by this server");
        var pageSize = request.PageSize > 0 ? request.PageSize : DefaultTreePageSize;

        var rootDirectory = ReadDirectory(root) ?? throw new RpcException(new Status(StatusCode.NotFound, $"root directory {Digests.Format(root)} is not in the CAS"));
        var queue = new Queue<Directory>([rootDirectory]);
        var seen = new HashSet<string> { root.Key() };
        var position = 0;
        var page = new GetTreeResponse();
        var pageBytes = 0;
        while (queue.TryDequeue(out var directory))
        {
            foreach (var child in directory.Directories)
            {
                if (Digests.TryValidate(child.Digest, out _) && seen.Add(child.Digest.Key()) && ReadDirectory(child.Digest) is { } loaded)
                    queue.Enqueue(loaded);
            }
            if (position++ < start)
                continue;
            page.Directories.Add(directory);
            pageBytes += directory.CalculateSize();
            if (page.Directories.Count >= pageSize || pageBytes > MaxBatchTotalSizeBytes / 2)
            {
                page.NextPageToken = queue.Count > 0 ? position.ToString() : "";
                await responseStream.WriteAsync(page, context.CancellationToken);
                page = new GetTreeResponse();
                pageBytes = 0;
            }
        }
        if (page.Directories.Count > 0)
            await responseStream.WriteAsync(page, context.CancellationToken);
    }

    private Directory? ReadDirectory(Digest digest)
    {
        var data = store.TryRead(digest);
        if (data is null)
            return null;
        try
        {
            return Directory.Parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException)
        {
            throw RequestChecks.Invalid($"blob {Digests.Format(digest)} is not a Directory message");
        }
    }
}
