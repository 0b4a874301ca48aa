using DistBuild.Bench.Running;
using DistBuild.Bench.Workspaces;

namespace DistBuild.Bench.Tools;

/// <summary>
/// DistBuild as a user runs it: `dotnet build` of a wrapper project that lists the workspace as a RustCrate item,
/// on the embedded default (no DistBuildScheduler set, so the SDK starts a local scheduler and worker itself).
/// Each repetition gets a fresh DISTBUILD_HOME, so the cold build starts with an empty cache and pays for starting
/// the embedded hosts, as a first build does; the hosts are stopped at the end of the repetition.
/// </summary>
public sealed class DistBuildTool(WrapperProjects wrappers, string workDirectory, DiscardedDirectories discarded) : BuildTool
{
    public const string ToolName = "distbuild";
    private string? _home;
    private string? _lastReport;

    public override string Name => ToolName;

    public override Task BeginRepetitionAsync(string directory, string label, CancellationToken cancellationToken)
    {
        _home = Path.Combine(workDirectory, "distbuild-home", label);
        discarded.Discard(_home);
        Directory.CreateDirectory(_home);
        return Task.CompletedTask;
    }

    public override Task EndRepetitionAsync(CancellationToken cancellationToken)
    {
        if (_home is not null)
            BackgroundProcesses.StopThoseMentioning(_home);
        _home = null;
        return Task.CompletedTask;
    }

    /// <summary>Stops this repetition's embedded scheduler and worker, as their idle shutdown would; the next build starts them again.</summary>
    public void StopEmbeddedHosts()
    {
        if (_home is not null)
            BackgroundProcesses.StopThoseMentioning(_home);
    }

    public override async Task<TimeSpan> BuildAsync(BenchWorkspace workspace, string targetDirectory, CancellationToken cancellationToken)
    {
        var result = await DotnetBuildAsync(wrappers.ProjectOf(workspace.Name), targetDirectory, cancellationToken);
        return result.Elapsed;
    }

    /// <summary>The totals of the build report the SDK wrote: how many compiles ran remotely, came from the cache or ran locally.</summary>
    public override Task<string?> DescribeLastBuildAsync(CancellationToken cancellationToken)
    {
        if (_lastReport is null || !File.Exists(_lastReport))
            return Task.FromResult<string?>(null);
        try
        {
            using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(_lastReport));
            var totals = report.RootElement.GetProperty("totals");
            string Total(string name) => totals.TryGetProperty(name, out var value) ? value.ToString() : "?";
            return Task.FromResult<string?>($"distbuild report: {Total("invocations")} invocations, {Total("remote")} remote, {Total("cached")} cached, {Total("local")} local, {Total("failed")} failed");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or IOException)
        {
            return Task.FromResult<string?>($"distbuild report unreadable: {e.Message}");
        }
    }

    /// <summary>
    /// Times a no-op `dotnet build` of a wrapper that lists no crate: what MSBuild, restore and the SDK's own targets
    /// cost before any cargo runs. DistBuild's no-op overhead is measured against this plus cargo's own no-op.
    /// </summary>
    public async Task<TimeSpan> EmptyWrapperNoOpAsync(CancellationToken cancellationToken)
    {
        var target = Path.Combine(workDirectory, "targets", WrapperProjects.EmptyWrapper);
        var project = wrappers.ProjectOf(WrapperProjects.EmptyWrapper);
        await DotnetBuildAsync(project, target, cancellationToken);
        return (await DotnetBuildAsync(project, target, cancellationToken)).Elapsed;
    }

    private Task<CommandResult> DotnetBuildAsync(string project, string targetDirectory, CancellationToken cancellationToken)
    {
        _lastReport = Path.Combine(workDirectory, "reports", Path.GetFileNameWithoutExtension(project) + ".json");
        if (File.Exists(_lastReport))
            File.Delete(_lastReport);
        var environment = CargoEnvironment(targetDirectory);
        environment["DISTBUILD_HOME"] = _home ?? Path.Combine(workDirectory, "distbuild-home", "shared");
        return wrappers.BuildAsync(project, environment, targetDirectory, [$"DistBuildReportPath={_lastReport}"], cancellationToken);
    }
}
