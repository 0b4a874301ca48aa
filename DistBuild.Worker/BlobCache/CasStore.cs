using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;

namespace DistBuild.Worker.BlobCache;

/// <summary>A REAPI CAS reached through <see cref="CasClient"/>.</summary>
public sealed class CasStore(CasClient client) : ICasStore
{
    public Task DownloadAsync(IReadOnlyCollection<FileDownload> files, CancellationToken cancellationToken) =>
        client.DownloadFilesAsync(files, cancellationToken);

    public Task<IReadOnlyList<Digest>> FindMissingAsync(IEnumerable<Digest> digests, CancellationToken cancellationToken) =>
        client.FindMissingAsync(digests, cancellationToken);

    public Task UploadMissingAsync(IEnumerable<BlobSource> blobs, CancellationToken cancellationToken) =>
        client.UploadMissingAsync(blobs, cancellationToken);
}
