using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Worker.BlobCache;

/// <summary>Input blobs the CAS does not hold; the job fails with FAILED_PRECONDITION naming them.</summary>
public sealed class MissingBlobsException(IReadOnlyList<Digest> missing)
    : Exception($"{missing.Count} input blob(s) are missing from the CAS")
{
    public IReadOnlyList<Digest> Missing { get; } = missing;
}
