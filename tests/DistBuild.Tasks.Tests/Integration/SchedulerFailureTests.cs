using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Coordination;
using DistBuild.Tasks.Tests.Support;
using DistBuild.Testing;

namespace DistBuild.Tasks.Tests.Integration;

/// <summary>What a compile does when the scheduler answered at start but is gone when the crate is sent.</summary>
public class SchedulerFailureTests
{
    private readonly string _directory = TemporaryDirectory.Create("failure");

    private async Task<(RustcCoordinator Coordinator, RecordingLog Log, string SchedulerUrl)> CoordinatorWhoseSchedulerDiedAsync(bool localFallback)
    {
        File.WriteAllText(Path.Combine(_directory, "hello.rs"), "fn main() { println!(\"hi from hello\"); }");
        var log = new RecordingLog();
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        var coordinator = new RustcCoordinator(new CoordinatorSettings(scheduler.Url, "", null, localFallback, null), log);
        await coordinator.StartAsync(CancellationToken.None);
        return (coordinator, log, scheduler.Url);
    }

    private Task<RustTools.Result> CompileHelloAsync(RustcCoordinator coordinator) =>
        RustTools.RunAsync(RustTools.Shim, [RustTools.Rustc, "--crate-name", "hello", "--edition=2021", "hello.rs", "--crate-type", "bin", "--out-dir", _directory], _directory,
            new Dictionary<string, string?> { [ShimProtocol.CoordinatorVariable] = coordinator.SocketPath });

    [Fact]
    public async Task Without_fallback_the_crate_fails_with_a_distbuild_error_naming_crate_and_scheduler()
    {
        var (coordinator, _, url) = await CoordinatorWhoseSchedulerDiedAsync(localFallback: false);
        await using var _ = coordinator;

        var result = await CompileHelloAsync(coordinator);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: distbuild: could not compile hello on the scheduler at " + url, result.Stderr);
        Assert.Contains("Unavailable", result.Stderr);
        Assert.False(File.Exists(Path.Combine(_directory, "hello")));
        var record = Assert.Single(coordinator.Invocations);
        Assert.Equal(("remote", 1), (record.Kind, record.ExitCode));
    }

    [Fact]
    public async Task With_fallback_the_crate_compiles_locally_with_a_warning_naming_it()
    {
        var (coordinator, log, url) = await CoordinatorWhoseSchedulerDiedAsync(localFallback: true);
        await using var _ = coordinator;

        var result = await CompileHelloAsync(coordinator);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hi from hello", (await RustTools.RunAsync(Path.Combine(_directory, "hello"), [], _directory)).Stdout.Trim());
        var record = Assert.Single(coordinator.Invocations);
        Assert.Equal(("local", 2), (record.Kind, record.Attempts));
        Assert.StartsWith("remote failed: Unavailable", record.Note);
        Assert.Contains(log.Warnings, w => w.StartsWith("warning DISTB0102 hello: the scheduler at " + url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_embedded_scheduler_still_starting_is_not_called_at_start_so_a_no_op_build_makes_no_call()
    {
        var nobody = $"http://127.0.0.1:{TestHosts.FreePort()}";

        await using var checking = new RustcCoordinator(new CoordinatorSettings(nobody, "", null, false, null), new RecordingLog());
        await Assert.ThrowsAsync<SchedulerUnreachableException>(() => checking.StartAsync(CancellationToken.None));

        var starting = new TaskCompletionSource<string>();
        await using var embedded = new RustcCoordinator(new CoordinatorSettings("", "", null, false, null), new RecordingLog(), starting.Task);
        await embedded.StartAsync(CancellationToken.None);
        Assert.True(File.Exists(embedded.SocketPath));
        starting.SetResult(nobody);
        Assert.Empty(embedded.Invocations);
    }
}
