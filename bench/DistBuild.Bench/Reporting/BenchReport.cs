using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistBuild.Bench.Reporting;

/// <summary>Everything one benchmark run measured, as written to the JSON result file.</summary>
public sealed class BenchReport
{
    public required DateTimeOffset Started { get; init; }
    public required string Machine { get; init; }
    public required string Rustc { get; init; }
    public required int Repetitions { get; init; }
    public List<WorkspaceReport> Workspaces { get; } = [];
    public List<string> Skipped { get; } = [];
    public List<Measurement> Measurements { get; } = [];
    public List<Figure> Figures { get; } = [];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));
    }
}

/// <summary>A workspace that was benchmarked.</summary>
public sealed record WorkspaceReport(string Name, string Description, int Packages, string EditedCrate);

/// <summary>
/// A summary figure: the median over the repetitions, and how it compares with plain cargo in the same run
/// (a ratio to cargo's cold build, or for no-op builds the difference from cargo's no-op in seconds).
/// </summary>
public sealed record Figure(string Workspace, string Tool, string Scenario, double MedianSeconds, double? RatioToCargoCold, double? SecondsOverCargoNoOp, double? SecondsOverEmptyWrapperAndCargoNoOp);
