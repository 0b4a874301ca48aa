using DistBuild.Bench.Workspaces;

namespace DistBuild.Bench.Tools;

/// <summary>
/// `dotnet build` of DistBuild's wrapper project with DistBuild turned off (`DistBuildEnabled=false`): the SDK still
/// runs cargo and relays its diagnostics and artifacts, with no rustc wrapper, scheduler or worker. That is what any
/// MSBuild SDK that runs cargo costs, so a DistBuild figure splits into what `dotnet build` costs anyway and what
/// DistBuild's own path adds.
/// </summary>
public sealed class DotnetCargoTool(WrapperProjects wrappers) : BuildTool
{
    public const string ToolName = "dotnet-cargo";

    public override string Name => ToolName;

    public override async Task<TimeSpan> BuildAsync(BenchWorkspace workspace, string targetDirectory, CancellationToken cancellationToken)
    {
        var result = await wrappers.BuildAsync(wrappers.ProjectOf(workspace.Name), CargoEnvironment(targetDirectory), targetDirectory,
            ["DistBuildEnabled=false"], cancellationToken);
        return result.Elapsed;
    }
}
