using System.Diagnostics;
using System.Text.Json;
using DistBuild.Protocol.Cargo;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Diagnostics;
using DistBuild.Protocol.Hosts;
using DistBuild.Tasks.Coordination;
using DistBuild.Tasks.Tests.Support;
using DistBuild.Testing;
using Xunit.Abstractions;

namespace DistBuild.Tasks.Tests.Coordination;

/// <summary>The coordinator as the task runs it: a process of its own (the real build output), talked to over its standard handles.</summary>
public class CoordinatorProcessTests(ITestOutputHelper output)
{
    private static HostCommand Coordinator => HostCommand.For(RepositoryPaths.HostAssembly("DistBuild.Coordinator"), "dotnet");

    private static BuildRequest Request(string workspace, string schedulerUrl) =>
        new([new CargoCommand(Path.Combine(workspace, "Cargo.toml"), Path.Combine(workspace, "target"), "dev", [], "", false, [], Offline: true)])
        {
            Scheduler = schedulerUrl,
            RustcShim = RustTools.Shim,
            Cargo = RustTools.Cargo,
            ReportPath = Path.Combine(workspace, "report.json"),
        };

    private static (int ExitCode, List<BuildEvent> Events, List<string> Other) Run(CoordinatorProcess process)
    {
        var events = new List<BuildEvent>();
        var other = new List<string>();
        var exitCode = process.Relay(events.Add, other.Add);
        other.AddRange(process.Stderr());
        return (exitCode, events, other);
    }

    [Fact]
    public async Task A_cargo_build_run_by_the_process_comes_back_as_artifacts_progress_and_a_report()
    {
        var workspace = TemporaryDirectory.Create("coordinator-process");
        SampleWorkspace.Write(workspace);
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}");

        using var process = CoordinatorProcess.Start(Coordinator, Request(workspace, scheduler.Url));
        var (exitCode, events, other) = Run(process);
        output.WriteLine(string.Join('\n', events.Select(e => e.ToString()).Concat(other)));

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(events, e => e is DiagnosticEvent { Diagnostic.Severity: DiagnosticSeverity.Error });
        var app = Assert.Single(events.OfType<ArtifactEvent>());
        Assert.Equal(("bin", "app", Path.Combine(workspace, "Cargo.toml")), (app.Kind, app.Crate, app.RustCrate));
        Assert.Equal(SampleWorkspace.ExpectedOutput, (await RustTools.RunAsync(app.Path, [], workspace)).Stdout.Trim());
        Assert.Equal(4, events.OfType<MessageEvent>().Count(m => m.Importance == LogImportance.Normal && m.Text.Contains("remote on worker-1")));
        Assert.Contains(events.OfType<MessageEvent>(), m => m.Text.StartsWith($"DistBuild: cargo runs {2 * Environment.ProcessorCount} jobs at once", StringComparison.Ordinal));
        Assert.Contains(events.OfType<MessageEvent>(), m => m.Importance == LogImportance.High && m.Text.StartsWith("DistBuild: 4 crates, 4 remote on 1 worker", StringComparison.Ordinal));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(workspace, "report.json")));
        Assert.Equal(
            ["app (bin)", "core-lib build script (bin)", "corelib (lib)", "macros (proc-macro)"],
            report.RootElement.GetProperty("invocations").EnumerateArray()
                .Select(i => $"{i.GetProperty("crate").GetString()} ({i.GetProperty("crateTypes").GetString()})").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_scheduler_that_does_not_answer_is_a_DISTB0003_error_and_the_process_ends_with_1()
    {
        var workspace = TemporaryDirectory.Create("coordinator-unreachable");
        SampleWorkspace.Write(workspace);

        using var process = CoordinatorProcess.Start(Coordinator, Request(workspace, $"http://127.0.0.1:{TestHosts.FreePort()}"));
        var (exitCode, events, _) = Run(process);

        Assert.Equal(1, exitCode);
        Assert.Null(CoordinatorProcess.EndProblem(exitCode, errorsReported: true, []));
        var error = Assert.Single(events.OfType<DiagnosticEvent>(), e => e.Diagnostic.Severity == DiagnosticSeverity.Error).Diagnostic;
        Assert.Equal(DiagnosticCodes.SchedulerUnreachable, error.Code);
        Assert.Contains("is not reachable", error.Message);
        Assert.False(Directory.Exists(Path.Combine(workspace, "target")), "cargo does not run without a scheduler or local fallback");
    }

    [Fact]
    public void A_coordinator_that_cannot_start_ends_the_relay_with_its_exit_code_and_says_why()
    {
        // Not the coordinator: a program that exits at once, as a crashed or mismatched coordinator would.
        var missing = HostCommand.For(Path.Combine(TemporaryDirectory.Create("no-coordinator"), "missing.dll"), "dotnet");

        using var process = CoordinatorProcess.Start(missing, Request(TemporaryDirectory.Create("unused"), "http://127.0.0.1:1"));
        var (exitCode, events, other) = Run(process);

        Assert.NotEqual(0, exitCode);
        Assert.Empty(events);
        var problem = CoordinatorProcess.EndProblem(exitCode, errorsReported: false, other);
        Assert.StartsWith($"the DistBuild coordinator ended with exit code {exitCode}:", problem);
        Assert.Contains("missing.dll", problem);
    }

    [Fact]
    public async Task A_coordinator_killed_during_the_build_ends_the_relay_with_its_exit_code_not_a_hang()
    {
        var workspace = TemporaryDirectory.Create("coordinator-killed");
        SampleWorkspace.Write(workspace);
        // A scheduler without workers: the first compile waits in its queue until the coordinator is killed.
        await using var scheduler = await TestHosts.StartSchedulerAsync();

        using var process = CoordinatorProcess.Start(Coordinator, Request(workspace, scheduler.Url));
        var exitCode = process.Relay(e =>
        {
            if (e is MessageEvent { Text: var text } && text.StartsWith("DistBuild: ", StringComparison.Ordinal) && text.Contains(" build --message-format=json", StringComparison.Ordinal))
                Process.GetProcessById(process.ProcessId).Kill(entireProcessTree: true);
        }, _ => { });

        Assert.Equal(137, exitCode);
        Assert.StartsWith("the DistBuild coordinator ended with exit code 137", CoordinatorProcess.EndProblem(exitCode, errorsReported: false, []));
    }

    [Fact]
    public async Task A_request_that_is_not_json_ends_the_process_with_a_message_on_stderr()
    {
        var startInfo = new ProcessStartInfo("dotnet", [RepositoryPaths.HostAssembly("DistBuild.Coordinator")])
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
        Assert.StartsWith("distbuild-coordinator: expected a build request as a JSON line on standard input", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void A_request_and_the_events_survive_the_trip_through_their_lines()
    {
        var request = new BuildRequest([new CargoCommand("/w/Cargo.toml", "/w/target", "release", ["a", "b"], "x,y", true, ["app"], Offline: true)])
        {
            Enabled = false,
            Scheduler = "https://farm:8980",
            InstanceName = "main",
            Token = "s3cret",
            LocalFallback = true,
            JobTimeout = "00:07:00",
            CargoJobs = "16",
            DotnetHost = "/usr/bin/dotnet",
            LeastImportantMessage = LogImportance.Normal,
        };
        var decoded = BuildRequest.Decode(request.Encode());
        Assert.Equal(request with { Crates = decoded.Crates }, decoded);
        Assert.Equal(request.Crates[0] with { Packages = decoded.Crates[0].Packages, Binaries = decoded.Crates[0].Binaries }, decoded.Crates[0]);
        Assert.Equal(["a", "b"], decoded.Crates[0].Packages);
        Assert.Equal(["app"], decoded.Crates[0].Binaries);
        Assert.DoesNotContain("s3cret", request.ToString());

        BuildEvent[] events =
        [
            new DiagnosticEvent(new BuildDiagnostic(DiagnosticSeverity.Warning, "rustc", "unused_variables", null, "/w/src/lib.rs", 3, 9, 3, 10, "unused variable: `x`\n\"quoted\"\ttab")),
            new MessageEvent(LogImportance.High, "DistBuild: 1 crate"),
            new ArtifactEvent("/w/target/debug/app", "bin", "app", "app", "/w/Cargo.toml"),
        ];
        Assert.Equal(events, events.Select(e => BuildEvent.Decode(e.Encode())));
        Assert.Null(BuildEvent.Decode("Unhandled exception. System.IO.IOException"));
        Assert.Null(BuildEvent.Decode("{\"event\":\"no-such-event\"}"));
    }
}
