using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Scheduler.Requests;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;

namespace DistBuild.Scheduler.Cas;

/// <summary>google.bytestream over the CAS: chunked reads with offset and limit, verified (and resumable) writes.</summary>
public sealed class ByteStreamService(ContentStore store, UploadSessions uploads, RequestChecks checks) : ByteStream.ByteStreamBase
{
    private const int ChunkSize = 1 << 20;

    public override async Task Read(ReadRequest request, IServerStreamWriter<ReadResponse> responseStream, ServerCallContext context)
    {
        if (!ResourceNames.TryParseRead(request.ResourceName, out var instanceName, out var digest, out var error))
            throw RequestChecks.Invalid(error);
        checks.Instance(instanceName);
        if (request.ReadOffset < 0 || request.ReadOffset > digest.SizeBytes)
            throw new RpcException(new Status(StatusCode.OutOfRange, $"read_offset {request.ReadOffset} is outside blob {Digests.Format(digest)}"));
        if (request.ReadLimit < 0)
            throw RequestChecks.Invalid($"read_limit {request.ReadLimit} is negative");

        var remaining = digest.SizeBytes - request.ReadOffset;
        if (request.ReadLimit > 0)
            remaining = Math.Min(remaining, request.ReadLimit);
        var buffer = new byte[(int)Math.Min(ChunkSize, Math.Max(remaining, 1))];
        if (request.ReadOffset == 0 && remaining == digest.SizeBytes && digest.SizeBytes > 0)
            await SendWholeAsync(digest, buffer, responseStream, context.CancellationToken);
        else
            await SendPartAsync(digest, request.ReadOffset, remaining, buffer, responseStream, context.CancellationToken);
    }

    /// <summary>The whole blob, verified as it is sent: a blob found corrupt at the end fails the read and is gone.</summary>
    private async Task SendWholeAsync(Digest digest, byte[] buffer, IServerStreamWriter<ReadResponse> responseStream, CancellationToken cancellationToken)
    {
        await using var reader = store.OpenHashingRead(digest) ?? throw NotFound(digest);
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
            await SendAsync(buffer, read, responseStream, cancellationToken);
        // NOT_FOUND, as for a blob found corrupt before the first byte: the store no longer holds it, and a client
        // treats the blob as missing (uploads it again) rather than the store as broken.
        if (!reader.Matches())
            throw new RpcException(new Status(StatusCode.NotFound, $"blob {Digests.Format(digest)} no longer matched its digest on disk and was deleted"));
    }

    /// <summary>Part of a blob: the whole blob is verified before the first byte, since the part alone cannot be.</summary>
    private async Task SendPartAsync(Digest digest, long offset, long remaining, byte[] buffer, IServerStreamWriter<ReadResponse> responseStream, CancellationToken cancellationToken)
    {
        await using var stream = store.OpenRead(digest) ?? throw NotFound(digest);
        stream.Position = offset;
        while (remaining > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
            if (read == 0)
                throw new RpcException(new Status(StatusCode.DataLoss, $"blob {Digests.Format(digest)} ended early"));
            await SendAsync(buffer, read, responseStream, cancellationToken);
            remaining -= read;
        }
    }

    // Wrapped, not copied: the message is serialized before WriteAsync completes, so the buffer can be reused.
    private static Task SendAsync(byte[] buffer, int length, IServerStreamWriter<ReadResponse> responseStream, CancellationToken cancellationToken) =>
        responseStream.WriteAsync(new ReadResponse { Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, length)) }, cancellationToken);

    private static RpcException NotFound(Digest digest) => new(new Status(StatusCode.NotFound, $"blob {Digests.Format(digest)} is not in the CAS"));

    public override async Task<WriteResponse> Write(IAsyncStreamReader<WriteRequest> requestStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken))
            throw RequestChecks.Invalid("the write stream carried no request");
        var first = requestStream.Current;
        var resourceName = first.ResourceName;
        if (!ResourceNames.TryParseWrite(resourceName, out var instanceName, out var digest, out var error))
            throw RequestChecks.Invalid(error);
        checks.Instance(instanceName);

        if (store.Contains(digest))
        {
            // Already stored: read the rest without keeping it, so a client that sends everything still succeeds.
            while (!requestStream.Current.FinishWrite && await requestStream.MoveNext(context.CancellationToken))
            {
            }
            return new WriteResponse { CommittedSize = digest.SizeBytes };
        }

        BlobUpload upload;
        try
        {
            upload = uploads.Open(resourceName, digest, first.WriteOffset);
        }
        catch (BlobRejectedException e)
        {
            throw RequestChecks.Invalid(e.Message);
        }

        var request = first;
        while (true)
        {
            if (request.ResourceName.Length > 0 && request.ResourceName != resourceName)
                throw Fail($"the stream switched from '{resourceName}' to '{request.ResourceName}'");
            if (request.WriteOffset != upload.CommittedSize)
                throw Fail($"write_offset {request.WriteOffset} does not match the {upload.CommittedSize} bytes committed");
            try
            {
                upload.Append(request.Data.Span);
                if (request.FinishWrite)
                {
                    upload.Commit();
                    uploads.Close(resourceName);
                    return new WriteResponse { CommittedSize = digest.SizeBytes };
                }
            }
            catch (BlobRejectedException e)
            {
                throw Fail(e.Message);
            }
            uploads.Touch(resourceName);
            if (!await requestStream.MoveNext(context.CancellationToken))
                break;
            request = requestStream.Current;
        }
        // The client stopped without finish_write: keep what arrived so it can resume.
        return new WriteResponse { CommittedSize = upload.CommittedSize };

        RpcException Fail(string message)
        {
            uploads.Close(resourceName);
            return RequestChecks.Invalid(message);
        }
    }

    public override Task<QueryWriteStatusResponse> QueryWriteStatus(QueryWriteStatusRequest request, ServerCallContext context)
    {
        if (!ResourceNames.TryParseWrite(request.ResourceName, out var instanceName, out var digest, out var error))
            throw RequestChecks.Invalid(error);
        checks.Instance(instanceName);
        if (store.Contains(digest))
            return Task.FromResult(new QueryWriteStatusResponse { CommittedSize = digest.SizeBytes, Complete = true });
        if (uploads.CommittedSize(request.ResourceName) is { } committed)
            return Task.FromResult(new QueryWriteStatusResponse { CommittedSize = committed });
        throw new RpcException(new Status(StatusCode.NotFound, $"no write in progress for '{request.ResourceName}'"));
    }
}
