using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;

namespace DistBuild.Worker.BlobCache;

/// <summary>
/// The scheduler's CAS when it lives on this machine (Worker:SchedulerCasDirectory; the embedded default sets it):
/// inputs are linked (or copied) out of its directory and outputs linked into it instead of travelling through gRPC,
/// where every byte would pass through both processes and the loopback. Whatever cannot be done on disk (a blob not
/// there, another file system, no permission) goes through <paramref name="remote"/> as on any other worker.
/// </summary>
public sealed class SameMachineCasStore(LocalCasDirectory directory, ICasStore remote) : ICasStore
{
    public async Task DownloadAsync(IReadOnlyCollection<FileDownload> files, CancellationToken cancellationToken)
    {
        var rest = files.Where(f => !TakeFromDirectory(f)).ToList();
        if (rest.Count > 0)
            await remote.DownloadAsync(rest, cancellationToken);
    }

    // The blob cache's files are never written, so a link to the CAS file serves as well as a copy and costs none.
    private bool TakeFromDirectory(FileDownload file) =>
        (!file.IsExecutable && directory.TryLink(file.Digest, file.Path)) || directory.TryCopy(file.Digest, file.Path, file.IsExecutable);

    public Task<IReadOnlyList<Digest>> FindMissingAsync(IEnumerable<Digest> digests, CancellationToken cancellationToken) =>
        remote.FindMissingAsync(digests, cancellationToken);

    public async Task UploadMissingAsync(IEnumerable<BlobSource> blobs, CancellationToken cancellationToken)
    {
        var all = blobs.ToList();
        // A job's outputs are left alone once collected, so linking them into the CAS is safe and costs no copy.
        foreach (var blob in all)
            directory.TryPut(blob, mayLink: true);
        // The scheduler then confirms it has them all: whatever could not be put, or went into a directory that turns
        // out not to be this scheduler's, is uploaded through gRPC, so a result never names a blob the CAS lacks.
        await remote.UploadMissingAsync(all, cancellationToken);
    }
}
