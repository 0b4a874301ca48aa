using System.Globalization;
using DistBuild.Bench.Running;
using DistBuild.Bench.Tools;

namespace DistBuild.Bench.Reporting;

/// <summary>Prints the figures as one table per workspace, followed by the targets and whether they are met.</summary>
public static class SummaryTable
{
    public static void Print(BenchReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"Medians of {report.Repetitions} run(s). (x) = ratio to plain cargo's cold build in this run; no-op: +s over cargo's no-op.");
        foreach (var workspace in report.Workspaces)
        {
            output.WriteLine();
            output.WriteLine($"{workspace.Description} ({workspace.Packages} packages; edited crate: {workspace.EditedCrate})");
            output.WriteLine($"  {"tool",-12} {"cold",-18} {"warm",-18} {"no-op",-20} {"edited leaf",-18}");
            foreach (var tool in report.Figures.Where(f => f.Workspace == workspace.Name).Select(f => f.Tool).Distinct())
            {
                string Cell(string scenario)
                {
                    var figure = report.Figures.SingleOrDefault(f => f.Workspace == workspace.Name && f.Tool == tool && f.Scenario == scenario);
                    if (figure is null)
                        return "-";
                    var text = Format(figure.MedianSeconds) + " s";
                    if (figure.RatioToCargoCold is { } ratio)
                        text += $" ({Format(ratio)}x)";
                    if (figure.SecondsOverCargoNoOp is { } over && tool != CargoTool.ToolName)
                        text += $" ({SignedSeconds(over)} s)";
                    return text;
                }
                output.WriteLine($"  {tool,-12} {Cell(Scenarios.Cold),-18} {Cell(Scenarios.Warm),-18} {Cell(Scenarios.NoOp),-20} {Cell(Scenarios.EditedLeaf),-18}");
            }
        }

        foreach (var stopped in report.Figures.Where(f => f.Scenario == Scenarios.NoOpHostsStopped))
        {
            var over = stopped.SecondsOverEmptyWrapperAndCargoNoOp is { } o ? $" ({SignedSeconds(o)} s over empty wrapper + cargo no-op)" : "";
            output.WriteLine($"\n{stopped.Workspace}: DistBuild no-op with its embedded hosts stopped (as after their idle shutdown): {Format(stopped.MedianSeconds)} s{over}");
        }

        var empty = report.Figures.FirstOrDefault(f => f.Tool == WrapperProjects.EmptyWrapper);
        if (empty is not null)
            output.WriteLine($"\nEmpty wrapper project, no-op `dotnet build`: {Format(empty.MedianSeconds)} s");

        output.WriteLine("\nTargets:");
        foreach (var line in TargetLines(report))
            output.WriteLine("  " + line);
        foreach (var skipped in report.Skipped)
            output.WriteLine("  note: " + skipped);
    }

    /// <summary>The figures DistBuild is held to, one line each with its verdict.</summary>
    public static IEnumerable<string> TargetLines(BenchReport report)
    {
        foreach (var workspace in report.Workspaces.Select(w => w.Name))
        {
            var distBuild = report.Figures.Where(f => f.Workspace == workspace && f.Tool == DistBuildTool.ToolName).ToList();
            if (distBuild.Count == 0)
            {
                yield return $"{workspace}: no DistBuild figures";
                continue;
            }
            var cold = distBuild.SingleOrDefault(f => f.Scenario == Scenarios.Cold)?.RatioToCargoCold;
            var warm = distBuild.SingleOrDefault(f => f.Scenario == Scenarios.Warm)?.RatioToCargoCold;
            var noOp = distBuild.SingleOrDefault(f => f.Scenario == Scenarios.NoOp)?.SecondsOverEmptyWrapperAndCargoNoOp;
            yield return Verdict(workspace, "cold DistBuild / cargo cold", cold, 1.05, "x");
            var floor = report.Figures.SingleOrDefault(f => f.Workspace == workspace && f.Tool == DotnetCargoTool.ToolName && f.Scenario == Scenarios.Cold)?.RatioToCargoCold;
            if (floor is { } f && cold is { } c)
                yield return $"{workspace}:   of which `dotnet build` itself (DistBuild off, plain cargo) = {Format(f)}x, and DistBuild's own path = {Format(c / f)}x of that";
            yield return Verdict(workspace, "warm DistBuild / cargo cold", warm, 0.20, "x");
            yield return Verdict(workspace, "no-op DistBuild - (empty wrapper + cargo no-op)", noOp, 0.30, " s");
            var noOpHostsStopped = distBuild.SingleOrDefault(f => f.Scenario == Scenarios.NoOpHostsStopped)?.SecondsOverEmptyWrapperAndCargoNoOp;
            yield return Verdict(workspace, "no-op DistBuild, embedded hosts stopped - (empty wrapper + cargo no-op)", noOpHostsStopped, 0.30, " s");
        }
    }

    private static string Verdict(string workspace, string what, double? value, double target, string unit) =>
        value is { } v
            ? $"{workspace}: {what} = {Format(v)}{unit} (target <= {Format(target)}{unit}): {(v <= target ? "met" : "MISSED")}"
            : $"{workspace}: {what}: not measured";

    private static string Format(double value) => value.ToString(Math.Abs(value) < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    /// <summary>"+0.12" or "-0.03"; a difference that rounds to zero is "+0.00", not .NET's "-+0.00" for a tiny negative.</summary>
    internal static string SignedSeconds(double seconds)
    {
        var rounded = Math.Round(seconds, 2);
        if (rounded == 0)
            rounded = 0; // not -0, which formats as "-0.00"
        return rounded < 0 ? rounded.ToString("0.00", CultureInfo.InvariantCulture) : "+" + rounded.ToString("0.00", CultureInfo.InvariantCulture);
    }
}
