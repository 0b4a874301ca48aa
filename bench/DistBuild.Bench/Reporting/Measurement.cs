namespace DistBuild.Bench.Reporting;

/// <summary>The scenarios each tool runs in every repetition, in this order.</summary>
public static class Scenarios
{
    /// <summary>Empty target directory, empty cache.</summary>
    public const string Cold = "cold";
    /// <summary>Target directory deleted, cache hot from the cold build.</summary>
    public const string Warm = "warm";
    /// <summary>Nothing changed since the last build.</summary>
    public const string NoOp = "no-op";
    /// <summary>One leaf crate's source edited.</summary>
    public const string EditedLeaf = "edited-leaf";
    /// <summary>
    /// DistBuild only: nothing changed, and its embedded hosts were stopped since the last build, as their idle
    /// shutdown stops them (10 minutes without a build): the next `dotnet build` of a solution whose Rust did not change.
    /// </summary>
    public const string NoOpHostsStopped = "no-op-hosts-stopped";

    public static readonly string[] All = [Cold, Warm, NoOp, EditedLeaf, NoOpHostsStopped];

    public static bool IsNoOp(string scenario) => scenario is NoOp or NoOpHostsStopped;
}

/// <summary>One timed build.</summary>
public sealed record Measurement(string Workspace, string Tool, string Scenario, int Repetition, double Seconds, string? Note = null);
