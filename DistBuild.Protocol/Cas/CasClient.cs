using System.Security.Cryptography;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace DistBuild.Protocol.Cas;

/// <summary>
/// Client side of a REAPI content-addressable store: finds what is missing, uploads and downloads blobs.
/// Small blobs travel in batches (one round trip for many), large ones through ByteStream in chunks.
/// </summary>
public sealed class CasClient
{
    /// <summary>Blobs up to this size go into batch requests; larger ones stream.</summary>
    public const int MaxBatchedBlobSize = 1 << 20;
    private const int MaxBatchTotalSize = 3 << 20;
    // Upload chunks stay under the runtime's large-object threshold (85,000 bytes): the receiving server copies each
    // chunk into a new array, and at 1 MiB every one was a large-object allocation, freed only by a full collection.
    // 64 MiB uploads on loopback: 209-230 ms with 1 MiB chunks, 174-199 ms with 64 KiB (4 alternated pairs).
    // Downloads keep the server's 1 MiB chunks, which measured no slower than 64 KiB.
    private const int UploadChunkSize = 64 << 10;
    private const int FileReadSize = 1 << 20;
    private const int FindMissingChunk = 10_000;
    private const int Parallelism = 4;

    private readonly ContentAddressableStorage.ContentAddressableStorageClient _cas;
    private readonly ByteStream.ByteStreamClient _byteStream;
    private readonly string _instanceName;

    public CasClient(GrpcChannel channel, string instanceName)
    {
        _cas = new ContentAddressableStorage.ContentAddressableStorageClient(channel);
        _byteStream = new ByteStream.ByteStreamClient(channel);
        _instanceName = instanceName;
    }

    public async Task<IReadOnlyList<Digest>> FindMissingAsync(IEnumerable<Digest> digests, CancellationToken cancellationToken)
    {
        var unique = digests.DistinctBy(d => d.Key()).Where(d => d.SizeBytes > 0).ToList();
        var missing = new List<Digest>();
        foreach (var chunk in unique.Chunk(FindMissingChunk))
        {
            var request = new FindMissingBlobsRequest { InstanceName = _instanceName, DigestFunction = DigestFunction.Types.Value.Sha256 };
            request.BlobDigests.AddRange(chunk);
            var response = await _cas.FindMissingBlobsAsync(request, cancellationToken: cancellationToken);
            missing.AddRange(response.MissingBlobDigests);
        }
        return missing;
    }

    /// <summary>The blobs the store lacks, each once.</summary>
    public async Task<IReadOnlyList<BlobSource>> FindMissingAsync(IEnumerable<BlobSource> blobs, CancellationToken cancellationToken)
    {
        var byKey = new Dictionary<string, BlobSource>();
        foreach (var blob in blobs)
            byKey.TryAdd(blob.Digest.Key(), blob);
        var missing = await FindMissingAsync(byKey.Values.Select(b => b.Digest), cancellationToken);
        return missing.Select(d => byKey[d.Key()]).ToList();
    }

    /// <summary>Uploads only the blobs the store lacks; returns how many bytes were sent.</summary>
    public async Task<long> UploadMissingAsync(IEnumerable<BlobSource> blobs, CancellationToken cancellationToken)
    {
        var toUpload = await FindMissingAsync(blobs, cancellationToken);
        await UploadAsync(toUpload, cancellationToken);
        return toUpload.Sum(b => b.Digest.SizeBytes);
    }

    /// <summary>Uploads every blob given, without asking first.</summary>
    public async Task UploadAsync(IReadOnlyCollection<BlobSource> blobs, CancellationToken cancellationToken)
    {
        var work = new List<Func<Task>>();
        foreach (var batch in Batches(blobs.Where(b => b.Digest.SizeBytes is > 0 and <= MaxBatchedBlobSize), b => b.Digest.SizeBytes))
            work.Add(() => UploadBatchAsync(batch, cancellationToken));
        foreach (var blob in blobs.Where(b => b.Digest.SizeBytes > MaxBatchedBlobSize))
            work.Add(() => WriteStreamAsync(blob, cancellationToken));
        await RunParallelAsync(work, cancellationToken);
    }

    public async Task<ByteString> ReadAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (digest.SizeBytes == 0)
            return ByteString.Empty;
        if (digest.SizeBytes <= MaxBatchedBlobSize)
        {
            var request = new BatchReadBlobsRequest { InstanceName = _instanceName, DigestFunction = DigestFunction.Types.Value.Sha256 };
            request.Digests.Add(digest);
            var response = await _cas.BatchReadBlobsAsync(request, cancellationToken: cancellationToken);
            var entry = response.Responses.Single();
            ThrowIfFailed(entry.Status, digest);
            return Verified(entry.Data, digest);
        }
        using var memory = new MemoryStream((int)Math.Min(digest.SizeBytes, int.MaxValue));
        await ReadStreamAsync(digest, memory, cancellationToken);
        return Verified(ByteString.CopyFrom(memory.GetBuffer(), 0, (int)memory.Length), digest);
    }

    public async Task<T> ReadMessageAsync<T>(Digest digest, MessageParser<T> parser, CancellationToken cancellationToken) where T : IMessage<T> =>
        parser.ParseFrom(await ReadAsync(digest, cancellationToken));

    /// <summary>Downloads blobs into files (written to a temporary name, then moved into place), batching small ones.</summary>
    public async Task DownloadFilesAsync(IReadOnlyCollection<FileDownload> files, CancellationToken cancellationToken)
    {
        var work = new List<Func<Task>>();
        var small = files.Where(f => f.Digest.SizeBytes <= MaxBatchedBlobSize).ToList();
        foreach (var batch in Batches(small, f => f.Digest.SizeBytes))
            work.Add(() => DownloadBatchAsync(batch, cancellationToken));
        foreach (var file in files.Where(f => f.Digest.SizeBytes > MaxBatchedBlobSize))
            work.Add(() => DownloadStreamAsync(file, cancellationToken));
        await RunParallelAsync(work, cancellationToken);
    }

    private async Task UploadBatchAsync(IReadOnlyList<BlobSource> batch, CancellationToken cancellationToken)
    {
        var request = new BatchUpdateBlobsRequest { InstanceName = _instanceName, DigestFunction = DigestFunction.Types.Value.Sha256 };
        foreach (var blob in batch)
            request.Requests.Add(new BatchUpdateBlobsRequest.Types.Request { Digest = blob.Digest, Data = blob.ReadAll() });
        var response = await _cas.BatchUpdateBlobsAsync(request, cancellationToken: cancellationToken);
        foreach (var entry in response.Responses)
            ThrowIfFailed(entry.Status, entry.Digest);
    }

    private async Task WriteStreamAsync(BlobSource blob, CancellationToken cancellationToken)
    {
        using var call = _byteStream.Write(cancellationToken: cancellationToken);
        var resourceName = ResourceNames.ForWrite(_instanceName, Guid.NewGuid(), blob.Digest);
        long offset = 0;
        // Chunks are wrapped, not copied: grpc-dotnet serializes a message before WriteAsync completes, so the
        // buffer can be refilled afterwards. In-memory blobs are sent straight from their ByteString; files are read
        // a megabyte at a time.
        if (blob.Data is { } data)
            await SendAsync(data.Memory);
        else
        {
            await using var source = new FileStream(blob.FilePath!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var buffer = new byte[FileReadSize];
            int read;
            while ((read = await source.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)) > 0)
                await SendAsync(buffer.AsMemory(0, read));
        }
        await call.RequestStream.CompleteAsync();
        // A server that already holds the blob may answer before reading everything; either way the size must match.
        var response = await call.ResponseAsync;
        if (response.CommittedSize != blob.Digest.SizeBytes)
            throw new RpcException(new Status(StatusCode.DataLoss, $"upload of {Digests.Digests.Format(blob.Digest)} committed {response.CommittedSize} bytes"));

        async Task SendAsync(ReadOnlyMemory<byte> bytes)
        {
            for (var start = 0; start < bytes.Length; start += UploadChunkSize)
            {
                var chunk = bytes.Slice(start, Math.Min(UploadChunkSize, bytes.Length - start));
                await call.RequestStream.WriteAsync(new WriteRequest
                {
                    ResourceName = offset == 0 ? resourceName : "",
                    WriteOffset = offset,
                    FinishWrite = offset + chunk.Length >= blob.Digest.SizeBytes,
                    Data = UnsafeByteOperations.UnsafeWrap(chunk),
                }, cancellationToken);
                offset += chunk.Length;
            }
        }
    }

    private async Task ReadStreamAsync(Digest digest, Stream destination, CancellationToken cancellationToken)
    {
        using var call = _byteStream.Read(new ReadRequest { ResourceName = ResourceNames.ForRead(_instanceName, digest) }, cancellationToken: cancellationToken);
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
            response.Data.WriteTo(destination);
    }

    private async Task DownloadBatchAsync(IReadOnlyList<FileDownload> batch, CancellationToken cancellationToken)
    {
        var request = new BatchReadBlobsRequest { InstanceName = _instanceName, DigestFunction = DigestFunction.Types.Value.Sha256 };
        request.Digests.AddRange(batch.Where(f => f.Digest.SizeBytes > 0).Select(f => f.Digest).DistinctBy(d => d.Key()));
        var data = new Dictionary<string, ByteString>();
        if (request.Digests.Count > 0)
        {
            var response = await _cas.BatchReadBlobsAsync(request, cancellationToken: cancellationToken);
            foreach (var entry in response.Responses)
            {
                ThrowIfFailed(entry.Status, entry.Digest);
                data[entry.Digest.Key()] = Verified(entry.Data, entry.Digest);
            }
        }
        foreach (var file in batch)
        {
            var bytes = file.Digest.SizeBytes == 0 ? ByteString.Empty : data[file.Digest.Key()];
            await WriteFileAsync(file, stream => stream.WriteAsync(bytes.Memory, cancellationToken).AsTask());
        }
    }

    /// <summary>Hashed as it is written, so the file is not read back to verify it.</summary>
    private Task DownloadStreamAsync(FileDownload file, CancellationToken cancellationToken) =>
        WriteFileAsync(file, async stream =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            using var call = _byteStream.Read(new ReadRequest { ResourceName = ResourceNames.ForRead(_instanceName, file.Digest) }, cancellationToken: cancellationToken);
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                hash.AppendData(response.Data.Span);
                size += response.Data.Length;
                await stream.WriteAsync(response.Data.Memory, cancellationToken);
            }
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != file.Digest.Hash || size != file.Digest.SizeBytes)
                throw new RpcException(new Status(StatusCode.DataLoss, $"blob {Digests.Digests.Format(file.Digest)} arrived with digest {actual}/{size}"));
        });

    private static async Task WriteFileAsync(FileDownload file, Func<Stream, Task> write)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file.Path)!);
        var temporary = file.Path + ".distbuild-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
                await write(stream);
            if (file.IsExecutable && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(temporary) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            File.Move(temporary, file.Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static ByteString Verified(ByteString data, Digest digest)
    {
        if (data.Length != digest.SizeBytes || Convert.ToHexStringLower(SHA256.HashData(data.Span)) != digest.Hash)
            throw new RpcException(new Status(StatusCode.DataLoss, $"blob {Digests.Digests.Format(digest)} arrived with other content"));
        return data;
    }

    private static void ThrowIfFailed(Google.Rpc.Status? status, Digest digest)
    {
        if (status is not null && status.Code != 0)
            throw new RpcException(new Status((StatusCode)status.Code, $"blob {Digests.Digests.Format(digest)}: {status.Message}"));
    }

    /// <summary>Groups items so that each group stays under the batch size limit servers commonly accept.</summary>
    private static IEnumerable<IReadOnlyList<T>> Batches<T>(IEnumerable<T> items, Func<T, long> sizeOf)
    {
        var batch = new List<T>();
        long size = 0;
        foreach (var item in items)
        {
            if (batch.Count > 0 && size + sizeOf(item) > MaxBatchTotalSize)
            {
                yield return batch;
                batch = [];
                size = 0;
            }
            batch.Add(item);
            size += sizeOf(item);
        }
        if (batch.Count > 0)
            yield return batch;
    }

    private static Task RunParallelAsync(IEnumerable<Func<Task>> work, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (item, _) => await item());
}

/// <summary>A blob to write to a file on disk.</summary>
public sealed record FileDownload(Digest Digest, string Path, bool IsExecutable);
