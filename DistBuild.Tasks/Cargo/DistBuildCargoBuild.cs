using DistBuild.Protocol.Cargo;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Diagnostics;
using DistBuild.Protocol.Hosts;
using DistBuild.Tasks.Coordination;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace DistBuild.Tasks.Cargo;

/// <summary>
/// Builds RustCrate items with cargo, handing every rustc invocation to DistBuild. The build itself runs in the
/// coordinator process started here (DistBuild.Coordinator's CargoBuild: the embedded scheduler, cargo with the rustc
/// shim, the report); this task checks the items, passes the project's settings on and relays what comes back:
/// rustc's and cargo's diagnostics as MSBuild errors and warnings, bins, cdylibs and staticlibs as
/// <see cref="Artifacts"/>. It stays this thin because MSBuild JIT-compiles a task's code in every build.
/// </summary>
public sealed class DistBuildCargoBuild : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private readonly Lock _cancelLock = new();
    private CoordinatorProcess? _coordinator;
    private bool _cancelled;

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

    /// <summary>How many jobs cargo runs at once; empty lets DistBuild choose.</summary>
    public string? CargoJobs { get; set; }

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
        lock (_cancelLock)
        {
            _cancelled = true;
            _coordinator?.Cancel();
        }
    }

    public override bool Execute()
    {
        var commands = ReadCrates();
        if (commands is null)
            return false;

        var coordinator = string.IsNullOrWhiteSpace(CoordinatorHost) ? null : HostCommand.For(Path.GetFullPath(CoordinatorHost), DotnetHost());
        if (coordinator is null || !File.Exists(coordinator.Program))
        {
            Error(DiagnosticCodes.CoordinatorFailed, $"DistBuild: the coordinator '{CoordinatorHost}' does not exist; reinstall the DistBuild.Sdk package.");
            return false;
        }

        var request = new BuildRequest(commands)
        {
            Enabled = Enabled,
            Scheduler = Scheduler,
            InstanceName = InstanceName,
            Token = Token,
            CaCertificate = CaCertificate,
            LocalFallback = LocalFallback,
            JobTimeout = JobTimeout,
            ReportPath = ReportPath,
            Cargo = Cargo,
            CargoJobs = CargoJobs,
            RustcShim = RustcShim,
            Home = Home,
            SchedulerHost = SchedulerHost,
            WorkerHost = WorkerHost,
            EmbeddedIdleShutdown = EmbeddedIdleShutdown,
            DotnetHost = DotnetHost(),
            LeastImportantMessage = LeastImportantMessage(),
        };
        var artifacts = new List<ITaskItem>();
        var otherLines = new List<string>();
        int exitCode;
        CoordinatorProcess process;
        try
        {
            process = CoordinatorProcess.Start(coordinator, request);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Error(DiagnosticCodes.CoordinatorFailed, $"DistBuild: the coordinator could not be started ({coordinator}): {e.Message}.");
            return false;
        }
        using (process)
        {
            lock (_cancelLock)
            {
                _coordinator = process;
                if (_cancelled)
                    process.Cancel();
            }
            void Other(string line)
            {
                otherLines.Add(line);
                Log.LogMessage(MessageImportance.Low, $"distbuild-coordinator: {line}");
            }

            exitCode = process.Relay(message => Relay(message, artifacts), Other);
            foreach (var line in process.Stderr())
                Other(line);
            lock (_cancelLock)
                _coordinator = null;
        }
        Artifacts = artifacts.ToArray();

        if (CoordinatorProcess.EndProblem(exitCode, Log.HasLoggedErrors, otherLines) is { } problem)
            Error(DiagnosticCodes.CoordinatorFailed, $"DistBuild: {problem}");
        return exitCode == 0 && !Log.HasLoggedErrors;
    }

    private void Relay(BuildEvent message, List<ITaskItem> artifacts)
    {
        switch (message)
        {
            case DiagnosticEvent { Diagnostic: var d }:
                switch (d.Severity)
                {
                    case DiagnosticSeverity.Error:
                        Log.LogError(d.Subcategory, d.Code, d.HelpKeyword, d.File, d.Line, d.Column, d.EndLine, d.EndColumn, d.Message);
                        break;
                    case DiagnosticSeverity.Warning:
                        Log.LogWarning(d.Subcategory, d.Code, d.HelpKeyword, d.File, d.Line, d.Column, d.EndLine, d.EndColumn, d.Message);
                        break;
                    default:
                        Log.LogMessage(d.Subcategory, d.Code, d.HelpKeyword, d.File, d.Line, d.Column, d.EndLine, d.EndColumn, MessageImportance.Low, d.Message);
                        break;
                }
                break;
            case MessageEvent text:
                Log.LogMessage(text.Importance switch
                {
                    LogImportance.High => MessageImportance.High,
                    LogImportance.Normal => MessageImportance.Normal,
                    _ => MessageImportance.Low,
                }, text.Text);
                break;
            case ArtifactEvent artifact:
                var item = new TaskItem(artifact.Path);
                item.SetMetadata("Kind", artifact.Kind);
                item.SetMetadata("Crate", artifact.Crate);
                item.SetMetadata("Package", artifact.Package);
                item.SetMetadata("RustCrate", artifact.RustCrate);
                artifacts.Add(item);
                break;
        }
    }

    private void Error(string code, string message, string? file = null) =>
        Log.LogError("DistBuild", code, null, file, 0, 0, 0, 0, message);

    /// <summary>Validates the RustCrate items; null (with errors logged) when one names no existing manifest.</summary>
    private List<CargoCommand>? ReadCrates()
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
                Error(DiagnosticCodes.ManifestNotFound,
                    $"RustCrate '{item.ItemSpec}' names {manifest}, which does not exist; point it at a package's or workspace's Cargo.toml.", declaredIn);
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
        return Log.HasLoggedErrors ? null : commands;
    }

    private static IReadOnlyList<string> SplitList(string value) =>
        value.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// The least important message a logger of this build shows (a binary log takes them all); at the default
    /// verbosity the coordinator then sends none of its per-compile lines.
    /// </summary>
    private LogImportance LeastImportantMessage() =>
        Log.LogsMessagesOfImportance(MessageImportance.Low) ? LogImportance.Low
        : Log.LogsMessagesOfImportance(MessageImportance.Normal) ? LogImportance.Normal
        : LogImportance.High;

    /// <summary>The dotnet executable running this build (the SDK sets DOTNET_HOST_PATH for tasks), else dotnet on PATH.</summary>
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
