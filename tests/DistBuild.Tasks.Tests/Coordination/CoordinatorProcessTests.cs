using System.Diagnostics;
using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Coordination;
using DistBuild.Tasks.Coordination;
using DistBuild.Tasks.Hosts;
using DistBuild.Tasks.Tests.Support;
using DistBuild.Testing;
using Xunit.Abstractions;

namespace DistBuild.Tasks.Tests.Coordination;

/// <summary>The coordinator as the task runs it: a process of its own (the real build output), talked to over its standard handles.</summary>
public class CoordinatorProcessTests(ITestOutputHelper output)
{
    private static string CoordinatorAssembly => RepositoryPaths.HostAssembly("DistBuild.Coordinator");

    private static CoordinatorSettings Settings(string url) => new(url, "", null, LocalFallback: false, JobTimeout: null);

    [Fact]
    public async Task A_cargo_build_served_by_the_process_comes_back_as_its_compiles_and_progress_lines()
    {
        var workspace = TemporaryDirectory.Create("coordinator-process");
        SampleWorkspace.Write(workspace);
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}");
        var log = new RecordingLog();
        await using var coordinator = CoordinatorProcess.Start(HostCommand.For(CoordinatorAssembly, "dotnet"), log);

        var started = await coordinator.ConfigureAsync(Settings(scheduler.Url), CancellationToken.None);
        Assert.Equal(CoordinatorEventKinds.Ready, started.Kind);
        var cargo = await RustTools.RunAsync(RustTools.Cargo, ["build", "--offline"], workspace, new Dictionary<string, string?>
        {
            ["RUSTC_WRAPPER"] = RustTools.Shim,
            ["CARGO_INCREMENTAL"] = "0",
            ["CARGO_TARGET_DIR"] = null,
            [ShimProtocol.CoordinatorVariable] = started.SocketPath,
        });
        var invocations = await coordinator.StopAsync();
        output.WriteLine($"cargo: {cargo}\ncoordinator:\n{log}");

        Assert.True(cargo.ExitCode == 0, cargo.ToString());
        Assert.Equal(SampleWorkspace.ExpectedOutput, (await RustTools.RunAsync(Path.Combine(workspace, "target", "debug", "app"), [], workspace)).Stdout.Trim());
        Assert.Equal(
            ["app (bin)", "core-lib build script (bin)", "corelib (lib)", "macros (proc-macro)"],
            invocations.Select(i => $"{i.Crate} ({i.CrateTypes})").Order(StringComparer.Ordinal));
        Assert.All(invocations, i => Assert.True(i is { Kind: "remote", Worker: "worker-1", ExitCode: 0, Phases.WorkerRustc: > 0 }, i.ToString()));
        Assert.Equal(4, log.Lines.Count(l => l.StartsWith("progress ", StringComparison.Ordinal) && l.Contains("remote on worker-1")));
        Assert.False(File.Exists(started.SocketPath), "the socket is removed when the coordinator ends");
    }

    [Fact]
    public async Task A_scheduler_that_does_not_answer_is_reported_and_the_process_ends()
    {
        var log = new RecordingLog();
        await using var coordinator = CoordinatorProcess.Start(HostCommand.For(CoordinatorAssembly, "dotnet"), log);

        var started = await coordinator.ConfigureAsync(Settings($"http://127.0.0.1:{TestHosts.FreePort()}"), CancellationToken.None);

        Assert.Equal(CoordinatorEventKinds.SchedulerUnreachable, started.Kind);
        Assert.Contains("is not reachable", started.Message);
        Assert.Empty(await coordinator.StopAsync());
    }

    [Fact]
    public async Task A_coordinator_that_cannot_start_says_why_instead_of_hanging()
    {
        var log = new RecordingLog();
        // Not the coordinator: a program that exits at once, as a crashed or mismatched coordinator would.
        await using var coordinator = CoordinatorProcess.Start(HostCommand.For(Path.Combine(TemporaryDirectory.Create("no-coordinator"), "missing.dll"), "dotnet"), log);

        var failure = await Assert.ThrowsAsync<CoordinatorFailedException>(() => coordinator.ConfigureAsync(Settings("http://127.0.0.1:1"), CancellationToken.None));

        Assert.StartsWith("the DistBuild coordinator exited while starting with exit code", failure.Message);
        Assert.Contains("missing.dll", failure.Message);
    }

    [Fact]
    public async Task A_coordinator_that_dies_during_the_build_is_an_error_when_it_stops_not_a_hang()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        var log = new RecordingLog();
        await using var coordinator = CoordinatorProcess.Start(HostCommand.For(CoordinatorAssembly, "dotnet"), log);
        await coordinator.ConfigureAsync(Settings(scheduler.Url), CancellationToken.None);

        Process.GetProcessById(coordinator.ProcessId).Kill();
        var failure = await Assert.ThrowsAsync<CoordinatorFailedException>(coordinator.StopAsync);

        Assert.StartsWith("the DistBuild coordinator ended with exit code 137", failure.Message);
    }

    [Fact]
    public async Task Settings_that_are_not_json_end_the_process_with_a_message_on_stderr()
    {
        var startInfo = new ProcessStartInfo("dotnet", [CoordinatorAssembly])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(startInfo)!;
        await process.StandardInput.WriteLineAsync("--scheduler http://somewhere");
        process.StandardInput.Close();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.StartsWith("distbuild-coordinator: expected the settings as a JSON line on standard input", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
