using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Worker.BlobCache;
using Google.Protobuf;
using Grpc.Core;

namespace DistBuild.Worker.Tests.BlobCache;

/// <summary>A CAS in memory, for tests of the logic between the worker and its store.</summary>
public sealed class InMemoryCasStore : ICasStore
{
    public Dictionary<string, ByteString> Blobs { get; } = [];

    public int Downloads { get; private set; }

    public void Add(BlobSource blob) => Blobs[blob.Digest.Key()] = blob.ReadAll();

    public Task DownloadAsync(IReadOnlyCollection<FileDownload> files, CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            if (!Blobs.TryGetValue(file.Digest.Key(), out var data))
                throw new RpcException(new Status(StatusCode.NotFound, $"blob {file.Digest.Hash} not found"));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file.Path)!);
            File.WriteAllBytes(file.Path, data.ToByteArray());
            Downloads++;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Digest>> FindMissingAsync(IEnumerable<Digest> digests, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Digest>>(digests.Where(d => d.SizeBytes > 0 && !Blobs.ContainsKey(d.Key())).ToList());

    public Task UploadMissingAsync(IEnumerable<BlobSource> blobs, CancellationToken cancellationToken)
    {
        foreach (var blob in blobs)
            Add(blob);
        return Task.CompletedTask;
    }
}
