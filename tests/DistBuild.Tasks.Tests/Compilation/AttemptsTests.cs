using Build.Bazel.Remote.Execution.V2;
using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Admin;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DistBuild.Tasks.Tests.Compilation;

public sealed class AttemptsTests
{
    private static ActionResult With(params Any[] auxiliary)
    {
        var result = new ActionResult { ExecutionMetadata = new ExecutedActionMetadata { Worker = "w1" } };
        result.ExecutionMetadata.AuxiliaryMetadata.AddRange(auxiliary);
        return result;
    }

    [Fact]
    public void The_schedulers_count_is_read_from_the_results_auxiliary_metadata()
    {
        Assert.Equal(2, RemoteCompiler.AttemptsOf(With(Any.Pack(new Duration { Seconds = 5 }), Any.Pack(new JobAttempts { Attempts = 2 }))));
    }

    [Fact]
    public void A_result_without_it_has_no_count()
    {
        Assert.Null(RemoteCompiler.AttemptsOf(new ActionResult()));
        Assert.Null(RemoteCompiler.AttemptsOf(With(Any.Pack(new Duration { Seconds = 5 }))));
    }

    [Fact]
    public void A_malformed_count_from_a_server_is_no_count_rather_than_a_failed_compile()
    {
        var garbage = new Any { TypeUrl = "type.googleapis.com/distbuild.v1.JobAttempts", Value = ByteString.CopyFrom(0xFF, 0xFF, 0xFF) };

        Assert.Null(RemoteCompiler.AttemptsOf(With(garbage)));
    }
}
