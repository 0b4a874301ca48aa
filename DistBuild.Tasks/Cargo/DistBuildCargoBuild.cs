using System.ComponentModel;
using System.Diagnostics;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Coordination;
using DistBuild.Tasks.Coordination;
using DistBuild.Tasks.Diagnostics;
using DistBuild.Tasks.Embedded;
using DistBuild.Tasks.Hosts;
using DistBuild.Tasks.Logging;
using DistBuild.Tasks.Reporting;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace DistBuild.Tasks.Cargo;

/// <summary>
/// Builds RustCrate items with cargo, handing every rustc invocation to DistBuild (RUSTC_WRAPPER = the shim, which
/// talks to the coordinator process started here). rustc diagnostics and cargo's own errors become MSBuild errors and
/// warnings; bins, cdylibs and staticlibs become <see cref="Artifacts"/>; a JSON report records every invocation.
/// </summary>
public sealed class DistBuildCargoBuild : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();
    private CoordinatorProcess? _coordinator;

    /// <summary>RustCrate items: Cargo.toml paths with optional Package, Features, NoDefaultFeatures, Binaries metadata.</summary>
    [Required]
    public ITaskItem[] Crates { get; set; } = [];

    [Required]
    public string TargetDirectory { get; set; } = "";

    /// <summary>cargo profile (dev, release or a custom one).</summary>
    [Required]
    public string Profile { get; set; } = "";

    /// <summary>false runs plain cargo without the wrapper.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Scheduler URL; empty starts or reuses the embedded default.</summary>
    public string? Scheduler { get; set; }

    public string? InstanceName { get; set; }

    /// <summary>Bearer token; when empty, DISTBUILD_TOKEN from the environment. Never logged.</summary>
    public string? Token { get; set; }

    /// <summary>PEM file of the CA that signed an https scheduler's certificate; when empty, DISTBUILD_CA_CERT.</summary>
    public string? CaCertificate { get; set; }

    public bool LocalFallback { get; set; }

    public string? JobTimeout { get; set; }

    public bool Offline { get; set; }

    public string? ReportPath { get; set; }

    /// <summary>Path of the cargo executable; empty finds it on PATH or in ~/.cargo/bin.</summary>
    public string? Cargo { get; set; }

    /// <summary>The rustc shim passed to cargo as RUSTC_WRAPPER.</summary>
    public string? RustcShim { get; set; }

    public string? Home { get; set; }

    /// <summary>The embedded scheduler: its executable, or DistBuild.Scheduler.dll (see <see cref="HostCommand"/>).</summary>
    public string? SchedulerHost { get; set; }

    /// <summary>The embedded worker: its executable, or DistBuild.Worker.dll.</summary>
    public string? WorkerHost { get; set; }

    /// <summary>The process that serves the shims: its executable, or DistBuild.Coordinator.dll.</summary>
    public string? CoordinatorHost { get; set; }

    public string? EmbeddedIdleShutdown { get; set; }

    /// <summary>Bins, cdylibs and staticlibs cargo produced, with metadata Kind, Crate and Package.</summary>
    [Output]
    public ITaskItem[] Artifacts { get; private set; } = [];

    public void Cancel()
    {
        _cancellation.Cancel();
        _coordinator?.Cancel();
    }

    public override bool Execute()
    {
        var log = new TaskLogQueue(Log);
        var work = System.Threading.Tasks.Task.Run(() => BuildAsync(log, _cancellation.Token));
        log.Pump(work);
        try
        {
            work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Log.LogError("DistBuild", DiagnosticCodes.Cancelled, null, null, 0, 0, 0, 0, "DistBuild: the build was cancelled");
        }
        catch (Exception e)
        {
            // The task must never end with an exception MSBuild reports as "the task failed unexpectedly" alone.
            Log.LogError("DistBuild", DiagnosticCodes.CargoFailed, null, null, 0, 0, 0, 0, $"DistBuild failed: {e.Message}");
            Log.LogMessage(MessageImportance.Low, e.ToString());
        }
        return !Log.HasLoggedErrors;
    }

    private async System.Threading.Tasks.Task BuildAsync(TaskLogQueue log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var commands = ReadCrates(log);
        if (commands is null)
            return;

        var mode = "cargo";
        string? schedulerUrl = null;
        var environment = new Dictionary<string, string?>
        {
            ["CARGO_TERM_COLOR"] = "never",
            ["CARGO_TERM_PROGRESS_WHEN"] = "never",
        };
        var artifacts = new List<ITaskItem>();
        var success = true;
        IReadOnlyList<InvocationRecord> invocations = [];
        try
        {
            if (Enabled)
            {
                (mode, schedulerUrl) = await StartCoordinatorAsync(log, environment, cancellationToken).ConfigureAwait(false);
                if (log.HasErrors)
                    return;
            }
            var cargo = CargoProcess.Locate(Cargo);
            foreach (var command in commands)
                success &= await BuildCrateAsync(cargo, command, environment, artifacts, log, cancellationToken).ConfigureAwait(false);
            if (_coordinator is not null)
                invocations = await _coordinator.StopAsync().ConfigureAwait(false);
        }
        catch (CoordinatorFailedException e)
        {
            log.Error(DiagnosticCodes.CoordinatorFailed, null, $"DistBuild: {e.Message}");
        }
        finally
        {
            await StopCoordinatorAsync().ConfigureAwait(false);
        }
        Artifacts = artifacts.ToArray();

        // With the scheduler down the coordinator warns once; each crate that fell back says so too, so a build log
        // never hides that a "distributed" build ran on this machine.
        foreach (var fallback in invocations.Where(i => i.Kind == "local" && i.Note?.Contains("unreachable", StringComparison.OrdinalIgnoreCase) == true))
            log.Warning(DiagnosticCodes.CompiledLocally, $"DistBuild: {fallback.Crate} compiled locally because the scheduler at {schedulerUrl} is unreachable.");
        var report = new BuildReport(mode, schedulerUrl, success && !log.HasErrors, clock.Elapsed.TotalSeconds, invocations);
        log.High(report.Summary());
        if (!string.IsNullOrWhiteSpace(ReportPath))
        {
            try
            {
                report.Write(ReportPath!);
                log.Detail($"DistBuild: report written to {Path.GetFullPath(ReportPath!)}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.Warning(DiagnosticCodes.ReportNotWritten, $"DistBuild could not write its report to {ReportPath}: {e.Message}");
            }
        }
    }

    /// <summary>Starts the coordinator against the configured or embedded scheduler and sets cargo's wrapper environment.</summary>
    private async Task<(string Mode, string? SchedulerUrl)> StartCoordinatorAsync(
        TaskLogQueue log, Dictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var shim = RustcShim;
        if (string.IsNullOrWhiteSpace(shim) || !File.Exists(shim))
        {
            var message = $"the rustc shim '{shim}' does not exist; reinstall the DistBuild.Sdk package, or set DistBuildRustcShim";
            if (!LocalFallback)
            {
                log.Error(DiagnosticCodes.ShimNotFound, null, $"DistBuild: {message}.");
                return ("cargo", null);
            }
            log.Warning(DiagnosticCodes.CompilingLocally, $"DistBuild: {message}; compiling locally (DistBuildLocalFallback is true).");
            return ("cargo", null);
        }

        // The coordinator's runtime starts up while the scheduler is found or started.
        if (!TryStartCoordinator(log))
            return ("cargo", null);

        var schedulerUrl = Scheduler?.Trim();
        var embedded = string.IsNullOrEmpty(schedulerUrl);
        if (embedded)
        {
            try
            {
                schedulerUrl = await StartEmbeddedAsync(log, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is EmbeddedStartException or IOException or InvalidOperationException or UnauthorizedAccessException or Win32Exception)
            {
                // No coordinator without a scheduler: cargo runs plain or not at all.
                await StopCoordinatorAsync().ConfigureAwait(false);
                var message = $"DistBuild could not start its embedded scheduler: {e.Message}";
                if (!LocalFallback)
                {
                    log.Error(DiagnosticCodes.EmbeddedStartFailed, null, message + "\nSet DistBuildScheduler to a running scheduler, DistBuildLocalFallback=true to compile locally, or DistBuildEnabled=false for plain cargo.");
                    return ("cargo", null);
                }
                log.Warning(DiagnosticCodes.CompilingLocally, message + "; compiling locally (DistBuildLocalFallback is true).");
                return ("cargo", null);
            }
        }

        var token = string.IsNullOrEmpty(Token) ? Environment.GetEnvironmentVariable("DISTBUILD_TOKEN") : Token;
        var settings = new CoordinatorSettings(schedulerUrl!, InstanceName ?? "", string.IsNullOrEmpty(token) ? null : token, LocalFallback, ParseTimeout(JobTimeout))
        {
            CaCertificate = string.IsNullOrEmpty(CaCertificate) ? null : CaCertificate,
            // The embedded scheduler's CAS is on this disk: outputs are copied out of it rather than streamed.
            LocalCasDirectory = embedded ? LocalCasDirectory.InDataDirectory(EmbeddedOptions().SchedulerDataDirectory) : null,
            SchedulerAlreadyChecked = embedded,
        };
        // The coordinator ends by itself when it cannot start; BuildAsync disposes of it either way.
        var started = await _coordinator!.ConfigureAsync(settings, cancellationToken).ConfigureAwait(false);
        switch (started.Kind)
        {
            case CoordinatorEventKinds.SchedulerNotReapi:
                log.Error(DiagnosticCodes.SchedulerNotReapi, null,
                    $"The endpoint {schedulerUrl} (DistBuildScheduler) answers, but is not a REAPI scheduler: {started.Message?.TrimEnd('.')}. " +
                    "Set DistBuildScheduler to the gRPC address DistBuild.Scheduler listens on (http://HOST:PORT; not a web page, proxy or worker), " +
                    "or leave it empty to use the embedded local scheduler.");
                return ("cargo", schedulerUrl);
            case CoordinatorEventKinds.SchedulerUnreachable:
                log.Error(DiagnosticCodes.SchedulerUnreachable, null,
                    $"DistBuild cannot reach the scheduler at {schedulerUrl} (DistBuildScheduler): {started.Message?.TrimEnd('.')}. " +
                    "Start the scheduler or correct DistBuildScheduler; set DistBuildLocalFallback=true to compile locally while it is down, " +
                    "or leave DistBuildScheduler empty to use the embedded local scheduler.");
                return ("cargo", schedulerUrl);
        }

        environment["RUSTC_WRAPPER"] = Path.GetFullPath(shim!);
        environment["DISTBUILD_COORDINATOR"] = started.SocketPath;
        // Incremental state lives in the local target directory and cannot travel to a worker.
        environment["CARGO_INCREMENTAL"] = "0";
        return (embedded ? "embedded" : "remote", schedulerUrl);
    }

    /// <summary>Starts the coordinator process; false (with an error, or a warning under local fallback) when it cannot.</summary>
    private bool TryStartCoordinator(TaskLogQueue log)
    {
        var coordinator = string.IsNullOrWhiteSpace(CoordinatorHost) ? null : HostCommand.For(Path.GetFullPath(CoordinatorHost), DotnetHost());
        string problem;
        if (coordinator is null || !File.Exists(coordinator.Program))
        {
            problem = $"the coordinator '{CoordinatorHost}' does not exist; reinstall the DistBuild.Sdk package";
        }
        else
        {
            try
            {
                _coordinator = CoordinatorProcess.Start(coordinator, log);
                return true;
            }
            catch (Win32Exception e)
            {
                problem = $"the coordinator could not be started ({coordinator}): {e.Message}";
            }
        }
        if (!LocalFallback)
            log.Error(DiagnosticCodes.CoordinatorFailed, null, $"DistBuild: {problem}.");
        else
            log.Warning(DiagnosticCodes.CompilingLocally, $"DistBuild: {problem}; compiling locally (DistBuildLocalFallback is true).");
        return false;
    }

    private async System.Threading.Tasks.Task StopCoordinatorAsync()
    {
        if (_coordinator is null)
            return;
        await _coordinator.DisposeAsync().ConfigureAwait(false);
        _coordinator = null;
    }

    private Task<string> StartEmbeddedAsync(TaskLogQueue log, CancellationToken cancellationToken) =>
        new EmbeddedCluster(EmbeddedOptions(), log.Detail).EnsureRunningAsync(cancellationToken);

    private EmbeddedClusterOptions EmbeddedOptions()
    {
        var home = string.IsNullOrWhiteSpace(Home) ? EmbeddedClusterOptions.DefaultHome() : Path.GetFullPath(Home!);
        return new EmbeddedClusterOptions(
            home,
            HostCommand.For(Path.GetFullPath(SchedulerHost ?? ""), DotnetHost()),
            HostCommand.For(Path.GetFullPath(WorkerHost ?? ""), DotnetHost()),
            InstanceName ?? "",
            ParseTimeout(EmbeddedIdleShutdown) ?? TimeSpan.FromMinutes(10),
            TimeSpan.FromSeconds(60));
    }

    private async Task<bool> BuildCrateAsync(
        string cargo, CargoCommand command, IReadOnlyDictionary<string, string?> environment,
        List<ITaskItem> artifacts, TaskLogQueue log, CancellationToken cancellationToken)
    {
        var stderr = new CargoStderrReader(command.WorkingDirectory, command.ManifestPath, log.Report);
        var compilerErrors = 0;
        var finished = (bool?)null;
        log.Detail($"DistBuild: {cargo} {string.Join(' ', command.Arguments())}");

        void OnStdout(string line)
        {
            switch (CargoJsonReader.Parse(line))
            {
                case CompilerDiagnosticMessage message:
                    if (message.Diagnostic.Severity == DiagnosticSeverity.Error)
                        Interlocked.Increment(ref compilerErrors);
                    log.Report(message.Diagnostic);
                    if (message.Rendered is { Length: > 0 } rendered && message.Diagnostic.Severity != DiagnosticSeverity.Message)
                        log.Detail(rendered.TrimEnd());
                    break;
                case CompilerArtifactMessage artifact:
                    lock (artifacts)
                        artifacts.AddRange(RustArtifacts.From(artifact, command.ManifestPath));
                    break;
                case BuildFinishedMessage done:
                    finished = done.Success;
                    break;
            }
        }

        void OnStderr(string line)
        {
            // Both readers run concurrently; rustc's errors reach stdout before cargo's closing summary on stderr.
            stderr.CompilerErrorsReported = Volatile.Read(ref compilerErrors) > 0;
            lock (stderr)
            {
                if (!stderr.Add(line) && line.Trim().Length > 0)
                    log.Detail(line.TrimEnd());
            }
        }

        int exitCode;
        try
        {
            exitCode = await CargoProcess.RunAsync(cargo, command, environment, OnStdout, OnStderr, cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            log.Error(DiagnosticCodes.CargoNotFound, command.ManifestPath,
                $"DistBuild could not run cargo ('{cargo}'): {e.Message}. Install Rust (rustup) or set DistBuildCargo to cargo's path.");
            return false;
        }
        lock (stderr)
            stderr.Flush();

        if (exitCode == 0)
            return true;
        if (compilerErrors == 0 && !stderr.ErrorsReported)
        {
            log.Error(DiagnosticCodes.CargoFailed, command.ManifestPath,
                $"cargo build failed with exit code {exitCode} (build-finished: {finished?.ToString() ?? "not reported"}); run with -v:detailed to see cargo's output.");
        }
        else if (compilerErrors > 0 && !stderr.ErrorsReported && !log.HasErrors)
        {
            log.Error(DiagnosticCodes.CargoFailed, command.ManifestPath, $"cargo build failed with exit code {exitCode}.");
        }
        return false;
    }

    /// <summary>Validates the RustCrate items; null (with errors logged) when one names no existing manifest.</summary>
    private List<CargoCommand>? ReadCrates(TaskLogQueue log)
    {
        var commands = new List<CargoCommand>();
        foreach (var item in Crates)
        {
            var manifest = Path.GetFullPath(item.GetMetadata("FullPath") is { Length: > 0 } full ? full : item.ItemSpec);
            if (Directory.Exists(manifest))
                manifest = Path.Combine(manifest, "Cargo.toml");
            if (!File.Exists(manifest))
            {
                // Against the project that declares the item (where the user fixes it), not the SDK's targets that run the task.
                var declaredIn = item.GetMetadata("DefiningProjectFullPath") is { Length: > 0 } project ? project : BuildEngine?.ProjectFileOfTaskNode;
                log.Error(DiagnosticCodes.ManifestNotFound, declaredIn,
                    $"RustCrate '{item.ItemSpec}' names {manifest}, which does not exist; point it at a package's or workspace's Cargo.toml.");
                continue;
            }
            commands.Add(new CargoCommand(
                manifest,
                Path.GetFullPath(TargetDirectory),
                Profile,
                SplitList(item.GetMetadata("Package")),
                string.Join(",", SplitList(item.GetMetadata("Features"))),
                string.Equals(item.GetMetadata("NoDefaultFeatures"), "true", StringComparison.OrdinalIgnoreCase),
                SplitList(item.GetMetadata("Binaries")),
                Offline));
        }
        return log.HasErrors ? null : commands;
    }

    private static IReadOnlyList<string> SplitList(string value) =>
        value.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static TimeSpan? ParseTimeout(string? value) =>
        TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero ? timeout : null;

    /// <summary>The dotnet executable running this build (the SDK sets DOTNET_HOST_PATH for tasks), else dotnet on PATH.</summary>
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
