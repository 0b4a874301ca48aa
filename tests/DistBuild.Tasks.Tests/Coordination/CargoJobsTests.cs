using DistBuild.Coordinator.Cargo;

namespace DistBuild.Tasks.Tests.Coordination;

public sealed class CargoJobsTests
{
    [Fact]
    public void A_distributed_build_runs_twice_as_many_jobs_as_cores() =>
        Assert.Equal("4", CargoJobs.Choose(requested: null, distributed: true, processorCount: 2, inEnvironment: null));

    [Fact]
    public void Plain_cargo_keeps_its_own_default() =>
        Assert.Null(CargoJobs.Choose(requested: "", distributed: false, processorCount: 2, inEnvironment: null));

    [Fact]
    public void CARGO_BUILD_JOBS_the_user_set_is_left_alone() =>
        Assert.Null(CargoJobs.Choose(requested: null, distributed: true, processorCount: 2, inEnvironment: "3"));

    [Theory]
    [InlineData("64", true)]
    [InlineData("64", false)]
    public void DistBuildCargoJobs_wins_over_everything(string requested, bool distributed) =>
        Assert.Equal("64", CargoJobs.Choose(requested, distributed, processorCount: 2, inEnvironment: "3"));

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("many")]
    public void A_value_that_is_not_a_positive_number_is_ignored(string requested) =>
        Assert.Equal("4", CargoJobs.Choose(requested, distributed: true, processorCount: 2, inEnvironment: null));
}
