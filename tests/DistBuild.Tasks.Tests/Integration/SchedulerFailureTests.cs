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
    public async Task An_embedded_scheduler_still_starting_is_not_waited_for_at_start_nor_by_a_build_that_compiled_nothing()
    {
        var nobody = $"http://127.0.0.1:{TestHosts.FreePort()}";

        await using var checking = new RustcCoordinator(new CoordinatorSettings(nobody, "", null, false, null), new RecordingLog());
        await Assert.ThrowsAsync<SchedulerUnreachableException>(() => checking.StartAsync(CancellationToken.None));

        // A no-op build ends while the pair it started is still starting: nothing waits for it, at the start or the end.
        var neverUp = new TaskCompletionSource<string>();
        var log = new RecordingLog();
        var noOp = new RustcCoordinator(new CoordinatorSettings("", "", null, false, null), log, neverUp.Task);
        await noOp.StartAsync(CancellationToken.None);
        Assert.True(File.Exists(noOp.SocketPath));
        await noOp.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(noOp.Invocations);
        Assert.Empty(log.Warnings);
    }

    [Fact]
    public async Task The_connection_made_ahead_of_the_first_compile_fails_quietly_and_leaves_the_failure_to_the_compiles()
    {
        // The embedded pair reports its URL, but nothing answers there (it died right after): the early connection
        // fails; the build says nothing of it, because the first compile meets the same failure and reports it.
        var nobody = $"http://127.0.0.1:{TestHosts.FreePort()}";
        var log = new RecordingLog();
        var coordinator = new RustcCoordinator(new CoordinatorSettings("", "", null, false, null), log, Task.FromResult(nobody));
        await coordinator.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await coordinator.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(coordinator.Invocations);
        Assert.Empty(log.Warnings);
    }
}
