using System.Text.Json.Serialization;

namespace DistBuild.Cli.Output;

/// <summary>
/// The `--json` output: snake_case property names taken from the view records, so they stay stable,
/// and null values written out, so a script can rely on every property being present.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(JobView))]
[JsonSerializable(typeof(JobList))]
[JsonSerializable(typeof(WorkerList))]
public sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>`jobs list --json`: an object rather than a bare array, so fields can be added later.</summary>
public sealed record JobList(IReadOnlyList<JobView> Jobs);

/// <summary>`workers list --json`.</summary>
public sealed record WorkerList(IReadOnlyList<WorkerView> Workers);
