using System.Security;
using DistBuild.Bench.Running;
using DistBuild.Bench.Workspaces;

namespace DistBuild.Bench.Tools;

/// <summary>
/// DistBuild as a user runs it: `dotnet build` of a wrapper project that lists the workspace as a RustCrate item,
/// on the embedded default (no DistBuildScheduler set, so the SDK starts a local scheduler and worker itself).
/// Each repetition gets a fresh DISTBUILD_HOME, so the cold build starts with an empty cache and pays for starting
/// the embedded hosts, as a first build does; the hosts are stopped at the end of the repetition.
/// </summary>
public sealed class DistBuildTool(SdkPackage sdk, string workDirectory, DiscardedDirectories discarded) : BuildTool
{
    public const string ToolName = "distbuild";
    private readonly Dictionary<string, string> _wrappers = [];
    private string? _home;
    private string? _lastReport;

    public override string Name => ToolName;

    /// <summary>Writes the wrapper projects and restores them (untimed: restore is a one-time cost, not a build's).</summary>
    public async Task PrepareAsync(IEnumerable<BenchWorkspace> workspaces, CancellationToken cancellationToken)
    {
        foreach (var workspace in workspaces)
            _wrappers[workspace.Name] = await WriteWrapperAsync(workspace.Name, Path.Combine(workspace.Root, "Cargo.toml"), cancellationToken);
        _wrappers[EmptyWrapper] = await WriteWrapperAsync(EmptyWrapper, null, cancellationToken);
    }

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
        var result = await DotnetBuildAsync(_wrappers[workspace.Name], targetDirectory, cancellationToken);
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
        var target = Path.Combine(workDirectory, "targets", EmptyWrapper);
        await DotnetBuildAsync(_wrappers[EmptyWrapper], target, cancellationToken);
        return (await DotnetBuildAsync(_wrappers[EmptyWrapper], target, cancellationToken)).Elapsed;
    }

    private const string EmptyWrapper = "empty-wrapper";

    private async Task<CommandResult> DotnetBuildAsync(string project, string targetDirectory, CancellationToken cancellationToken)
    {
        _lastReport = Path.Combine(workDirectory, "reports", Path.GetFileNameWithoutExtension(project) + ".json");
        if (File.Exists(_lastReport))
            File.Delete(_lastReport);
        var environment = CargoEnvironment(targetDirectory);
        environment["DISTBUILD_HOME"] = _home ?? Path.Combine(workDirectory, "distbuild-home", "shared");
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["MSBUILDDISABLENODEREUSE"] = "1";
        // The same target directory layout as the other tools (DistBuild's default is obj/cargo/), and --offline as they use.
        return await RunAsync("dotnet", ["build", project, "-nodeReuse:false", "-v:q", "-nologo", "-clp:NoSummary", "-p:Configuration=Debug",
                "-p:DistBuildCargoOffline=true", $"-p:DistBuildCargoTargetDir={targetDirectory}/", $"-p:DistBuildReportPath={_lastReport}"],
            Path.GetDirectoryName(project)!, environment, cancellationToken);
    }

    private async Task<string> WriteWrapperAsync(string name, string? cargoManifest, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(workDirectory, "wrappers", name);
        Directory.CreateDirectory(directory);
        var items = cargoManifest is null ? "" : $"""    <RustCrate Include="{SecurityElement.Escape(cargoManifest)}" />""";
        var project = Path.Combine(directory, name + ".proj");
        await File.WriteAllTextAsync(project,
            $"""
            <Project Sdk="{SdkPackage.Id}/{sdk.Version}">
              <!-- Generated by DistBuild.Bench. -->
              <ItemGroup>
            {items}
              </ItemGroup>
            </Project>

            """, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), sdk.NuGetConfig(Path.Combine(workDirectory, "nuget-packages")), cancellationToken);
        var environment = new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
        await RunAsync("dotnet", ["restore", project, "-nodeReuse:false", "-v:q"], directory, environment, cancellationToken);
        return project;
    }
}
