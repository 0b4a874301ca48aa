using DistBuild.Testing;

namespace DistBuild.Tasks.Tests.Support;

public sealed class TemporaryDirectoryTests
{
    [Fact]
    public void A_sweep_deletes_leftovers_of_runs_long_over_and_keeps_recent_directories()
    {
        var old = TemporaryDirectory.Create("sweep-old");
        File.WriteAllText(Path.Combine(old, "leftover.txt"), "from an earlier run");
        System.IO.Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow - TemporaryDirectory.LeftoverAge - TimeSpan.FromMinutes(1));
        var recent = TemporaryDirectory.Create("sweep-recent");

        TemporaryDirectory.SweepOlderThan(TemporaryDirectory.LeftoverAge);

        Assert.False(System.IO.Directory.Exists(old));
        Assert.True(System.IO.Directory.Exists(recent));
    }
}
