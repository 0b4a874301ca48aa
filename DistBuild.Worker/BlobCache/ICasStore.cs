using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;

namespace DistBuild.Worker.BlobCache;

/// <summary>The remote content-addressable store a job reads its inputs from and writes its outputs to.</summary>
public interface ICasStore
{
    /// <summary>Downloads blobs into files, verifying each against its digest. A blob the store lacks throws RpcException NOT_FOUND.</summary>
    Task DownloadAsync(IReadOnlyCollection<FileDownload> files, CancellationToken cancellationToken);

    Task<IReadOnlyList<Digest>> FindMissingAsync(IEnumerable<Digest> digests, CancellationToken cancellationToken);

    Task UploadMissingAsync(IEnumerable<BlobSource> blobs, CancellationToken cancellationToken);
}
