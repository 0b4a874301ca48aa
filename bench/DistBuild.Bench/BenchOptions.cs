using DistBuild.Bench.Workspaces;

namespace DistBuild.Bench;

/// <summary>What one benchmark run measures, from the command line.</summary>
public sealed record BenchOptions(
    int Runs,
    IReadOnlySet<string> Workspaces,
    IReadOnlySet<string> Tools,
    WorkspaceShape Shape,
    string WorkDirectory,
    string Output,
    string? SdkFeed,
    string SccachePath)
{
    public static readonly string[] AllWorkspaces = ["generated", RealisticSample.Name];
    public static readonly string[] AllTools = ["cargo", "sccache", "dotnet-cargo", "distbuild"];

    public string? Validate()
    {
        if (Runs < 1)
            return "--runs must be at least 1";
        if (Workspaces.Except(AllWorkspaces).FirstOrDefault() is { } workspace)
            return $"unknown workspace '{workspace}': expected {string.Join(", ", AllWorkspaces)}";
        if (Tools.Except(AllTools).FirstOrDefault() is { } tool)
            return $"unknown tool '{tool}': expected {string.Join(", ", AllTools)}";
        if (!Tools.Contains("cargo"))
            return "--tools must include cargo: every figure is relative to plain cargo in the same run";
        return Shape.Validate();
    }
}
