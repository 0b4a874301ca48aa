using DistBuild.Protocol.Cas;

namespace DistBuild.Protocol.Tests;

public class ResourceNamesTests
{
    private static readonly Build.Bazel.Remote.Execution.V2.Digest Blob = Digests.Digests.Compute("data"u8);

    [Theory]
    [InlineData("")]
    [InlineData("main")]
    [InlineData("team/a/b")]
    public void Read_names_round_trip_with_any_instance(string instance)
    {
        var name = ResourceNames.ForRead(instance, Blob);

        Assert.True(ResourceNames.TryParseRead(name, out var parsedInstance, out var digest, out _));
        Assert.Equal(instance, parsedInstance);
        Assert.Equal(Blob, digest);
    }

    [Theory]
    [InlineData("")]
    [InlineData("team/a")]
    public void Write_names_round_trip_and_may_carry_trailing_metadata(string instance)
    {
        var name = ResourceNames.ForWrite(instance, Guid.NewGuid(), Blob) + "/some/metadata";

        Assert.True(ResourceNames.TryParseWrite(name, out var parsedInstance, out var digest, out _));
        Assert.Equal(instance, parsedInstance);
        Assert.Equal(Blob, digest);
    }

    [Fact]
    public void Read_name_without_a_size_is_refused()
    {
        Assert.False(ResourceNames.TryParseRead($"blobs/{Blob.Hash}", out _, out _, out var error));
        Assert.Contains("blobs/{hash}/{size}", error);
    }

    [Fact]
    public void Compressed_blobs_are_refused_by_name()
    {
        Assert.False(ResourceNames.TryParseRead($"compressed-blobs/zstd/{Blob.Hash}/4", out _, out _, out var error));
        Assert.Contains("compressed", error);
    }

    [Fact]
    public void Write_name_with_bad_hex_names_the_problem()
    {
        Assert.False(ResourceNames.TryParseWrite($"uploads/{Guid.NewGuid()}/blobs/xyz/4", out _, out _, out var error));
        Assert.Contains("64", error);
    }
}
