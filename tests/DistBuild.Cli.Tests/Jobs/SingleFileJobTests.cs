using DistBuild.Cli.Jobs;
using DistBuild.Protocol.Digests;
using Google.Protobuf;

namespace DistBuild.Cli.Tests.Jobs;

public sealed class SingleFileJobTests
{
    private static readonly Build.Bazel.Remote.Execution.V2.Digest Source = Digests.Compute("fn main() {}"u8);

    [Fact]
    public void A_bin_job_runs_rustc_on_main_rs_and_expects_the_binary_in_out()
    {
        var job = SingleFileJob.Create(Source, "main", "bin", 2021, timeout: null);

        Assert.Equal(["rustc", "--crate-name", "main", "--edition", "2021", "--crate-type", "bin", "main.rs", "--out-dir", "out"], job.Command.Arguments);
        Assert.Equal("out/main", job.OutputPath);
        var file = Assert.Single(job.InputRoot.Files);
        Assert.Equal("main.rs", file.Name);
        Assert.Equal(Source, file.Digest);
        Assert.Empty(job.Action.Platform?.Properties ?? []);
    }

    [Fact]
    public void A_lib_job_expects_an_rlib()
    {
        Assert.Equal("out/libgeometry.rlib", SingleFileJob.Create(Source, "geometry", "lib", 2024, null).OutputPath);
    }

    [Fact]
    public void The_action_references_the_uploaded_command_and_input_root()
    {
        var job = SingleFileJob.Create(Source, "main", "bin", 2021, TimeSpan.FromSeconds(30));

        var digests = job.Blobs.Select(b => Digests.Format(b.Digest)).ToList();
        Assert.Contains(Digests.Format(job.Action.CommandDigest), digests);
        Assert.Contains(Digests.Format(job.Action.InputRootDigest), digests);
        Assert.Contains(Digests.Format(job.ActionDigest), digests);
        Assert.Equal(30, job.Action.Timeout.Seconds);
    }

    [Fact]
    public void The_same_inputs_give_the_same_action_digest_so_the_cache_can_hit()
    {
        var first = SingleFileJob.Create(Source, "main", "bin", 2021, null);
        var second = SingleFileJob.Create(Source, "main", "bin", 2021, null);

        Assert.Equal(first.ActionDigest, second.ActionDigest);
        Assert.Equal(first.Action.ToByteString(), second.Action.ToByteString());
    }

    [Theory]
    [InlineData("9lives", "bin")]
    [InlineData("my-crate", "bin")]
    [InlineData("main", "dylib")]
    public void Bad_crate_names_and_types_are_refused(string name, string type)
    {
        Assert.Throws<ArgumentException>(() => SingleFileJob.Create(Source, name, type, 2021, null));
    }
}
