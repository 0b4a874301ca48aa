using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Coordination;
using DistBuild.Tasks.Tests.Support;
using DistBuild.Testing;

namespace DistBuild.Tasks.Tests.Integration;

public class CancellationTests
{
    [Fact]
    public async Task Cancel_ends_a_compile_waiting_on_the_scheduler_and_the_shim_fails_with_a_message()
    {
        var directory = TemporaryDirectory.Create("cancel");
        File.WriteAllText(Path.Combine(directory, "hello.rs"), "fn main() {}");
        // No worker: the job stays queued until the coordinator gives up on it.
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        await using var coordinator = new RustcCoordinator(new CoordinatorSettings(scheduler.Url, "", null, LocalFallback: true, null), new RecordingLog());
        await coordinator.StartAsync(CancellationToken.None);

        var compile = RustTools.RunAsync(RustTools.Shim, [RustTools.Rustc, "--crate-name", "hello", "hello.rs", "--crate-type", "bin", "--out-dir", directory], directory,
            new Dictionary<string, string?> { [ShimProtocol.CoordinatorVariable] = coordinator.SocketPath });
        using var channel = GrpcChannels.Create(scheduler.Url);
        var admin = new Admin.AdminClient(channel);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await admin.ListJobsAsync(new ListJobsRequest())).Jobs.Any(j => j.State == JobState.Pending))
        {
            Assert.True(DateTime.UtcNow < deadline, "the compile never reached the scheduler's queue");
            await Task.Delay(100);
        }
        coordinator.Cancel();
        var result = await compile.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: distbuild: the build was cancelled", result.Stderr);
        Assert.False(File.Exists(Path.Combine(directory, "hello")));
    }
}
