using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Coordination;
using DistBuild.Tasks.Tests.Compilation;
using DistBuild.Tasks.Tests.Support;
using DistBuild.Testing;

namespace DistBuild.Tasks.Tests.Shim;

/// <summary>The built shim talking to a coordinator whose scheduler is not there (port 1 refuses at once).</summary>
public class ShimCoordinatorTests
{
    private const string DeadScheduler = "http://127.0.0.1:1";
    private readonly string _directory = TemporaryDirectory.Create("shim");

    private static CoordinatorSettings Settings(bool localFallback) => new(DeadScheduler, "", "secret-token", localFallback, null);

    private Task<RustTools.Result> RunShimAsync(RustcCoordinator? coordinator, IEnumerable<string> rustcArguments, string? stdin = null) =>
        RustTools.RunAsync(RustTools.Shim, [RustTools.Rustc, .. rustcArguments], _directory,
            new Dictionary<string, string?> { [ShimProtocol.CoordinatorVariable] = coordinator?.SocketPath }, stdin);

    [Fact]
    public async Task Unreachable_scheduler_without_fallback_fails_start_naming_the_url()
    {
        await using var coordinator = new RustcCoordinator(Settings(localFallback: false), new RecordingLog());

        var error = await Assert.ThrowsAsync<SchedulerUnreachableException>(() => coordinator.StartAsync(CancellationToken.None));

        Assert.Contains(DeadScheduler, error.Message);
        Assert.DoesNotContain("secret-token", error.Message);
    }

    [Fact]
    public async Task A_stdin_probe_runs_in_the_shim_with_its_stdin()
    {
        var log = new RecordingLog();
        await using var coordinator = new RustcCoordinator(Settings(localFallback: true), log);
        await coordinator.StartAsync(CancellationToken.None);

        var probe = await RunShimAsync(coordinator, ["-", "--crate-name", "___", "--print=crate-name"], stdin: "fn main() {}");

        Assert.True(probe.ExitCode == 0, probe.ToString());
        Assert.Equal("___", probe.Stdout.Trim());
        Assert.Empty(coordinator.Invocations);
        Assert.Contains(log.Lines, l => l.Contains("--print query"));
    }

    [Fact]
    public async Task Cargos_print_probe_on_a_null_stdin_is_answered_by_the_coordinator_and_the_next_build_runs_no_rustc_for_it()
    {
        var counter = Path.Combine(_directory, "runs");
        var toolchain = Path.Combine(_directory, "toolchain");
        Directory.CreateDirectory(toolchain);
        var rustc = Path.Combine(toolchain, "rustc");
        File.WriteAllText(rustc, $"#!/bin/sh\necho run >> '{counter}'\nexec '{RustTools.Rustc}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(rustc, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var probe = (string[])[rustc, .. CargoCommandLines.TargetInfoProbe];
        var direct = await RustTools.RunAsync(RustTools.Rustc, CargoCommandLines.TargetInfoProbe, _directory);
        var answers = new List<RustTools.Result>();
        for (var build = 0; build < 2; build++)
        {
            await using var coordinator = new RustcCoordinator(Settings(localFallback: true) with { ProbeCacheDirectory = Path.Combine(_directory, "probes") }, new RecordingLog());
            await coordinator.StartAsync(CancellationToken.None);
            // As cargo runs it: stdin is /dev/null.
            answers.Add(await RustTools.RunAsync("/bin/sh", ["-c", "exec \"$0\" \"$@\" < /dev/null", RustTools.Shim, .. probe], _directory,
                new Dictionary<string, string?> { [ShimProtocol.CoordinatorVariable] = coordinator.SocketPath }));
        }

        Assert.True(direct.ExitCode == 0, direct.ToString());
        Assert.All(answers, a => Assert.Equal((0, direct.Stdout, direct.Stderr), (a.ExitCode, a.Stdout, a.Stderr)));
        Assert.Single(File.ReadAllLines(counter));
    }

    [Fact]
    public async Task Cargos_version_queries_are_answered_from_one_rustc_run_with_rustcs_own_output()
    {
        // A rustc that counts its runs, then is the real one.
        var counter = Path.Combine(_directory, "runs");
        var rustc = Path.Combine(_directory, "rustc");
        File.WriteAllText(rustc, $"#!/bin/sh\necho run >> '{counter}'\nexec '{RustTools.Rustc}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(rustc, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var coordinator = new RustcCoordinator(Settings(localFallback: true), new RecordingLog());
        await coordinator.StartAsync(CancellationToken.None);
        var environment = new Dictionary<string, string?> { [ShimProtocol.CoordinatorVariable] = coordinator.SocketPath };

        var first = await RustTools.RunAsync(RustTools.Shim, [rustc, "-vV"], _directory, environment);
        var second = await RustTools.RunAsync(RustTools.Shim, [rustc, "-vV"], _directory, environment);
        var direct = await RustTools.RunAsync(RustTools.Rustc, ["-vV"], _directory);

        Assert.Equal((0, direct.Stdout, direct.Stderr), (first.ExitCode, first.Stdout, first.Stderr));
        Assert.Equal((0, direct.Stdout), (second.ExitCode, second.Stdout));
        Assert.Contains("release:", first.Stdout);
        Assert.Single(File.ReadAllLines(counter));
        Assert.Empty(coordinator.Invocations);
    }

    [Fact]
    public async Task With_fallback_a_compile_runs_locally_and_its_result_reaches_cargo_through_the_shim()
    {
        var log = new RecordingLog();
        await using var coordinator = new RustcCoordinator(Settings(localFallback: true), log);
        await coordinator.StartAsync(CancellationToken.None);
        File.WriteAllText(Path.Combine(_directory, "hello.rs"), "fn main() { println!(\"hi from hello\"); }");
        File.WriteAllText(Path.Combine(_directory, "broken.rs"), "fn main() { let x: u32 = \"no\"; }");

        var good = await RunShimAsync(coordinator, ["--crate-name", "hello", "--edition=2021", "hello.rs", "--crate-type", "bin", "--out-dir", _directory]);
        var bad = await RunShimAsync(coordinator, ["--crate-name", "broken", "--edition=2021", "broken.rs", "--crate-type", "bin", "--error-format=json", "--out-dir", _directory]);

        Assert.True(good.ExitCode == 0, good.ToString());
        var run = await RustTools.RunAsync(Path.Combine(_directory, "hello"), [], _directory);
        Assert.Equal("hi from hello", run.Stdout.Trim());
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("E0308", bad.Stderr);
        Assert.Contains("\"$message_type\":\"diagnostic\"", bad.Stderr);
        Assert.Collection(coordinator.Invocations.OrderBy(i => i.Crate),
            broken => Assert.Equal(("broken", "local", "scheduler unreachable"), (broken.Crate, broken.Kind, broken.Note)),
            hello => Assert.Equal(("hello", "bin", "local", 0), (hello.Crate, hello.CrateTypes, hello.Kind, hello.ExitCode)));
        Assert.Contains(log.Warnings, w => w.Contains("DISTB0101") && w.Contains(DeadScheduler));
        Assert.Contains(log.Lines, l => l.StartsWith("progress hello (bin): local (scheduler unreachable)", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.Contains("secret-token"));
    }

    [Fact]
    public async Task Shim_without_a_coordinator_runs_rustc_itself()
    {
        var unset = await RunShimAsync(null, ["-vV"]);
        var stale = await RustTools.RunAsync(RustTools.Shim, [RustTools.Rustc, "-vV"], _directory,
            new Dictionary<string, string?> { [ShimProtocol.CoordinatorVariable] = Path.Combine(_directory, "gone.sock") });

        Assert.True(unset.ExitCode == 0, unset.ToString());
        Assert.Contains("release:", unset.Stdout);
        Assert.True(stale.ExitCode == 0, stale.ToString());
        Assert.Contains("release:", stale.Stdout);
        Assert.Empty(stale.Stderr);
    }
}
