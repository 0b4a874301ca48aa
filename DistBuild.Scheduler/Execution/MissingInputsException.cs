using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Scheduler.Execution;

/// <summary>Blobs an action needs that are not in the CAS; the client uploads them and executes again.</summary>
public sealed class MissingInputsException(IReadOnlyList<Digest> missing)
    : Exception($"{missing.Count} blob(s) the action needs are not in the CAS")
{
    public IReadOnlyList<Digest> Missing { get; } = missing;
}
