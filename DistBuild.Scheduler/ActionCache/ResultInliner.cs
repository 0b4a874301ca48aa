using Build.Bazel.Remote.Execution.V2;
using DistBuild.Scheduler.Cas;
using Google.Protobuf;

namespace DistBuild.Scheduler.ActionCache;

/// <summary>
/// Fills in stdout, stderr and output file contents a client asked to receive inline, for the small ones only:
/// REAPI lets a server skip any inlining, and a client then reads the blobs itself.
/// </summary>
public sealed class ResultInliner(ContentStore store)
{
    /// <summary>Inline content up to this size in total, well under the gRPC message limit.</summary>
    public const long MaxInlineBytes = 1 << 20;

    public ActionResult Inline(ActionResult result, bool stdout, bool stderr, IEnumerable<string> outputFiles)
    {
        var wanted = outputFiles.ToHashSet(StringComparer.Ordinal);
        if (!stdout && !stderr && wanted.Count == 0)
            return result;
        var inlined = result.Clone();
        long budget = MaxInlineBytes;
        if (stdout && inlined.StdoutRaw.IsEmpty && TryRead(inlined.StdoutDigest, ref budget) is { } stdoutData)
            inlined.StdoutRaw = stdoutData;
        if (stderr && inlined.StderrRaw.IsEmpty && TryRead(inlined.StderrDigest, ref budget) is { } stderrData)
            inlined.StderrRaw = stderrData;
        foreach (var file in inlined.OutputFiles.Where(f => wanted.Contains(f.Path) && f.Contents.IsEmpty))
        {
            if (TryRead(file.Digest, ref budget) is { } contents)
                file.Contents = contents;
        }
        return inlined;
    }

    private ByteString? TryRead(Digest? digest, ref long budget)
    {
        if (digest is null || digest.SizeBytes == 0 || digest.SizeBytes > budget)
            return null;
        if (store.TryRead(digest) is not { } data)
            return null;
        budget -= data.Length;
        return UnsafeByteOperations.UnsafeWrap(data);
    }
}
