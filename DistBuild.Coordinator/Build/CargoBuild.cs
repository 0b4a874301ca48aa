using System.ComponentModel;
using System.Diagnostics;
using DistBuild.Coordinator.Cargo;
using DistBuild.Coordinator.Compilation;
using DistBuild.Coordinator.Embedded;
using DistBuild.Coordinator.Reporting;
using DistBuild.Protocol.Cargo;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Diagnostics;
using DistBuild.Protocol.Hosts;

namespace DistBuild.Coordinator.Build;

/// <summary>
/// Runs the cargo builds of one DistBuildCargoBuild task, handing every rustc invocation to DistBuild (RUSTC_WRAPPER =
/// the shim, which talks to the <see cref="RustcCoordinator"/> started here against the configured or embedded
/// scheduler). rustc diagnostics and cargo's own errors become MSBuild diagnostics; bins, cdylibs and staticlibs
/// become artifacts; a JSON report records every invocation. It runs in the coordinator process, compiled ahead of
/// time, so `dotnet build` spends no time JIT-compiling it.
/// </summary>
public sealed class CargoBuild(BuildRequest request, IBuildLog log)
{
    /// <summary>Runs the builds; false when one failed (the reasons are logged).</summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var mode = "cargo";
        string? schedulerUrl = null;
        var environment = new Dictionary<string, string?>
        {
            ["CARGO_TERM_COLOR"] = "never",
            ["CARGO_TERM_PROGRESS_WHEN"] = "never",
        };
        var success = true;
        IReadOnlyList<InvocationRecord> invocations = [];
        RustcCoordinator? coordinator = null;
        EmbeddedStart? embeddedStart = null;
        // Cancelled by the build's cancel, and when the embedded scheduler fails to start without local fallback.
        using var stopCargo = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            if (request.Enabled)
            {
                (coordinator, mode, schedulerUrl, embeddedStart) = await StartCoordinatorAsync(environment, stopCargo, cancellationToken).ConfigureAwait(false);
                if (log.HasErrors)
                    return false;
            }
            if (CargoJobs.Choose(request.CargoJobs, coordinator is not null, Environment.ProcessorCount, Environment.GetEnvironmentVariable(CargoJobs.Variable)) is { } jobs)
            {
                environment[CargoJobs.Variable] = jobs;
                log.Detail($"DistBuild: cargo runs {jobs} jobs at once ({CargoJobs.Variable}; set DistBuildCargoJobs to change it)");
            }
            var cargo = CargoProcess.Locate(request.Cargo);
            using (stopCargo.Token.Register(() => coordinator?.Cancel()))
            {
                foreach (var command in request.Crates)
                    success &= await BuildCrateAsync(cargo, command, environment, stopCargo.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Error(DiagnosticCodes.Cancelled, null, "DistBuild: the build was cancelled");
            return false;
        }
        catch (OperationCanceledException) when (stopCargo.IsCancellationRequested)
        {
            // The embedded scheduler did not start; that error is logged.
            success = false;
        }
        finally
        {
            if (coordinator is not null)
            {
                // Waits for the shims still connected, so every compile of the build is in the report.
                await coordinator.DisposeAsync().ConfigureAwait(false);
                invocations = coordinator.Invocations;
            }
        }
        if (embeddedStart is not null)
        {
            // A build that compiled nothing (a no-op) did not need the embedded pair, so it does not wait for a pair it
            // started to become ready (about 0.2 s after the idle shutdown), only until embedded.json records it.
            if (invocations.Count > 0 || embeddedStart.Url.IsCompleted)
                schedulerUrl = await embeddedStart.Url.ConfigureAwait(false);
            else
                await Task.WhenAny(embeddedStart.Recorded, embeddedStart.Url).ConfigureAwait(false);
        }

        // With the scheduler down the coordinator warns once; each crate that fell back says so too, so a build log
        // never hides that a "distributed" build ran on this machine.
        foreach (var fallback in invocations.Where(i => i.Kind == "local" && i.Note?.Contains("unreachable", StringComparison.OrdinalIgnoreCase) == true))
            log.Warning(DiagnosticCodes.CompiledLocally, $"DistBuild: {fallback.Crate} compiled locally because the scheduler at {schedulerUrl} is unreachable.");
        var report = new BuildReport(mode, schedulerUrl, success && !log.HasErrors, clock.Elapsed.TotalSeconds, invocations);
        log.High(report.Summary());
        if (!string.IsNullOrWhiteSpace(request.ReportPath))
        {
            try
            {
                report.Write(request.ReportPath);
                log.Detail($"DistBuild: report written to {Path.GetFullPath(request.ReportPath)}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.Warning(DiagnosticCodes.ReportNotWritten, $"DistBuild could not write its report to {request.ReportPath}: {e.Message}");
            }
        }
        return success && !log.HasErrors;
    }

    /// <summary>
    /// Starts the coordinator against the configured or embedded scheduler and sets cargo's wrapper environment; no
    /// coordinator (and mode "cargo") when cargo is to run plain, with a warning, or with an error logged. The embedded
    /// scheduler is not waited for: cargo starts alongside it, and EmbeddedStart ends with its URL, or null when it
    /// failed (reported, and cargo stopped unless local fallback lets the coordinator compile locally).
    /// </summary>
    private async Task<(RustcCoordinator? Coordinator, string Mode, string? SchedulerUrl, EmbeddedStart? EmbeddedStart)> StartCoordinatorAsync(
        Dictionary<string, string?> environment, CancellationTokenSource stopCargo, CancellationToken cancellationToken)
    {
        var shim = request.RustcShim;
        if (string.IsNullOrWhiteSpace(shim) || !File.Exists(shim))
        {
            var message = $"the rustc shim '{shim}' does not exist; reinstall the DistBuild.Sdk package, or set DistBuildRustcShim";
            if (!request.LocalFallback)
                log.Error(DiagnosticCodes.ShimNotFound, null, $"DistBuild: {message}.");
            else
                log.Warning(DiagnosticCodes.CompilingLocally, $"DistBuild: {message}; compiling locally (DistBuildLocalFallback is true).");
            return (null, "cargo", null, null);
        }

        var schedulerUrl = request.Scheduler?.Trim() ?? "";
        var embeddedOptions = schedulerUrl.Length == 0 ? EmbeddedOptions() : null;
        var cluster = embeddedOptions is null ? null : new EmbeddedCluster(embeddedOptions, log.Detail);
        // On a pool thread: its first steps (the lock, spawning both hosts) are synchronous, and cargo need not wait for them.
        var embeddedStarting = cluster is null ? null : Task.Run(() => cluster.EnsureRunningAsync(cancellationToken), cancellationToken);

        var token = string.IsNullOrEmpty(request.Token) ? Environment.GetEnvironmentVariable("DISTBUILD_TOKEN") : request.Token;
        var settings = new CoordinatorSettings(schedulerUrl, request.InstanceName ?? "", string.IsNullOrEmpty(token) ? null : token, request.LocalFallback, ParseTimeout(request.JobTimeout))
        {
            CaCertificate = string.IsNullOrEmpty(request.CaCertificate) ? null : request.CaCertificate,
            // The embedded scheduler's CAS is on this disk: outputs are copied out of it rather than streamed.
            LocalCasDirectory = embeddedOptions is null ? null : LocalCasDirectory.InDataDirectory(embeddedOptions.SchedulerDataDirectory),
            ProbeCacheDirectory = Path.Combine(Home(), "probes"),
        };
        var coordinator = new RustcCoordinator(settings, log, embeddedStarting);
        try
        {
            await coordinator.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SchedulerNotReapiException e)
        {
            await coordinator.DisposeAsync().ConfigureAwait(false);
            log.Error(DiagnosticCodes.SchedulerNotReapi, null,
                $"The endpoint {schedulerUrl} (DistBuildScheduler) answers, but is not a REAPI scheduler: {e.Message.TrimEnd('.')}. " +
                "Set DistBuildScheduler to the gRPC address DistBuild.Scheduler listens on (http://HOST:PORT; not a web page, proxy or worker), " +
                "or leave it empty to use the embedded local scheduler.");
            return (null, "cargo", schedulerUrl, null);
        }
        catch (SchedulerUnreachableException e)
        {
            await coordinator.DisposeAsync().ConfigureAwait(false);
            log.Error(DiagnosticCodes.SchedulerUnreachable, null,
                $"DistBuild cannot reach the scheduler at {schedulerUrl} (DistBuildScheduler): {e.Message.TrimEnd('.')}. " +
                "Start the scheduler or correct DistBuildScheduler; set DistBuildLocalFallback=true to compile locally while it is down, " +
                "or leave DistBuildScheduler empty to use the embedded local scheduler.");
            return (null, "cargo", schedulerUrl, null);
        }

        environment["RUSTC_WRAPPER"] = Path.GetFullPath(shim);
        environment[ShimProtocol.CoordinatorVariable] = coordinator.SocketPath;
        // Incremental state lives in the local target directory and cannot travel to a worker.
        environment["CARGO_INCREMENTAL"] = "0";
        return embeddedStarting is null
            ? (coordinator, "remote", schedulerUrl, null)
            : (coordinator, "embedded", null, new EmbeddedStart(ReportEmbeddedStartAsync(embeddedStarting, stopCargo), cluster!.Recorded));
    }

    /// <param name="Url">The embedded scheduler's URL once it and its worker are ready, null when they did not start.</param>
    /// <param name="Recorded">Done once DISTBUILD_HOME records the pair, ready or not (<see cref="EmbeddedCluster.Recorded"/>).</param>
    private sealed record EmbeddedStart(Task<string?> Url, Task Recorded);

    /// <summary>
    /// The embedded scheduler's URL once it has started, or null when it did not: then an error that stops cargo, or
    /// with local fallback a warning (the coordinator compiles locally).
    /// </summary>
    private async Task<string?> ReportEmbeddedStartAsync(Task<string> starting, CancellationTokenSource stopCargo)
    {
        try
        {
            return await starting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception e)
        {
            // Any failure, not only the expected ones: compiles without fallback wait for this to stop cargo.
            var message = $"DistBuild could not start its embedded scheduler: {e.Message}";
            if (!request.LocalFallback)
            {
                log.Error(DiagnosticCodes.EmbeddedStartFailed, null, message + "\nSet DistBuildScheduler to a running scheduler, DistBuildLocalFallback=true to compile locally, or DistBuildEnabled=false for plain cargo.");
                await stopCargo.CancelAsync().ConfigureAwait(false);
            }
            else
            {
                log.Warning(DiagnosticCodes.CompilingLocally, message + "; compiling locally (DistBuildLocalFallback is true).");
            }
            return null;
        }
    }

    /// <summary>DISTBUILD_HOME (DistBuildHome): the embedded pair's state and data, and the probe cache.</summary>
    private string Home() => string.IsNullOrWhiteSpace(request.Home) ? EmbeddedClusterOptions.DefaultHome() : Path.GetFullPath(request.Home);

    private EmbeddedClusterOptions EmbeddedOptions()
    {
        return new EmbeddedClusterOptions(
            Home(),
            HostCommand.For(Path.GetFullPath(request.SchedulerHost ?? ""), request.DotnetHost),
            HostCommand.For(Path.GetFullPath(request.WorkerHost ?? ""), request.DotnetHost),
            request.InstanceName ?? "",
            ParseTimeout(request.EmbeddedIdleShutdown) ?? TimeSpan.FromMinutes(10),
            TimeSpan.FromSeconds(60));
    }

    private async Task<bool> BuildCrateAsync(
        string cargo, CargoCommand command, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
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
                    foreach (var item in RustArtifacts.From(artifact, command.ManifestPath))
                        log.Artifact(item);
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

    private static TimeSpan? ParseTimeout(string? value) =>
        TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var timeout) && timeout > TimeSpan.Zero ? timeout : null;
}
