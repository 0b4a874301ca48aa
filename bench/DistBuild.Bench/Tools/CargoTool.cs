using DistBuild.Bench.Workspaces;

namespace DistBuild.Bench.Tools;

/// <summary>Plain `cargo build`: the baseline every other figure is divided by.</summary>
public sealed class CargoTool : BuildTool
{
    public const string ToolName = "cargo";

    public override string Name => ToolName;

    public override Task<TimeSpan> BuildAsync(BenchWorkspace workspace, string targetDirectory, CancellationToken cancellationToken) =>
        RunCargoAsync(workspace, CargoEnvironment(targetDirectory), cancellationToken);
}
