using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Scheduler.Tests.Support;

namespace DistBuild.Scheduler.Tests.ActionCache;

public sealed class ActionCacheStoreTests
{
    private static readonly Digest ActionDigest = Digests.Compute("an action"u8);

    [Fact]
    public void Stored_result_is_returned_for_its_action()
    {
        var parts = new SchedulerParts();
        var output = parts.Put("rlib bytes");
        var result = new ActionResult { ExitCode = 0, OutputFiles = { new OutputFile { Path = "libhello.rlib", Digest = output } } };

        parts.Cache.Put(ActionDigest, result);

        Assert.Equal(result, parts.Cache.TryGet(ActionDigest));
        Assert.Null(parts.Cache.TryGet(Digests.Compute("another action"u8)));
    }

    [Fact]
    public void Result_whose_output_is_gone_from_the_CAS_is_a_miss()
    {
        var parts = new SchedulerParts();
        var output = parts.Put("rlib bytes");
        var stderr = Digests.Compute("never uploaded"u8);
        parts.Cache.Put(ActionDigest, new ActionResult { OutputFiles = { new OutputFile { Path = "libhello.rlib", Digest = output } }, StderrDigest = stderr });

        Assert.Null(parts.Cache.TryGet(ActionDigest));
    }
}
