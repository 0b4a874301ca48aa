using DistBuild.Protocol.Execution;
using Grpc.Core;

namespace DistBuild.Protocol.Tests;

public class RichStatusTests
{
    [Fact]
    public void Missing_blob_status_survives_the_trip_through_rpc_trailers()
    {
        var missing = new[] { Digests.Digests.Compute("a"u8), Digests.Digests.Compute("bb"u8) };
        var exception = RichStatus.ToException(RichStatus.MissingBlobs(missing));

        var status = RemoteExecutor.ToStatus(exception);

        Assert.Equal(StatusCode.FailedPrecondition, exception.StatusCode);
        Assert.Equal(missing, RemoteExecutor.MissingBlobs(status));
    }

    [Fact]
    public void Violation_subjects_use_the_standard_blobs_form()
    {
        var digest = Digests.Digests.Compute("a"u8);

        var status = RichStatus.MissingBlobs([digest]);
        var failure = status.Details.Single().Unpack<Google.Rpc.PreconditionFailure>();

        Assert.Equal("MISSING", failure.Violations.Single().Type);
        Assert.Equal($"blobs/{digest.Hash}/{digest.SizeBytes}", failure.Violations.Single().Subject);
    }

    [Fact]
    public void Other_failures_name_no_missing_blobs()
    {
        Assert.Empty(RemoteExecutor.MissingBlobs(RichStatus.Of(StatusCode.Internal, "boom")));
    }
}
