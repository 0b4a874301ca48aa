using DistBuild.Bench.Running;
using DistBuild.Bench.Tools;

namespace DistBuild.Bench.Reporting;

/// <summary>Turns the raw measurements into medians and comparisons with plain cargo from the same run.</summary>
public static class FigureCalculator
{
    public static void Compute(BenchReport report)
    {
        var emptyWrapperNoOp = Median(report.Measurements.Where(m => m.Tool == WrapperProjects.EmptyWrapper));
        foreach (var workspace in report.Workspaces.Select(w => w.Name))
        {
            var ofWorkspace = report.Measurements.Where(m => m.Workspace == workspace).ToList();
            var cargoCold = Median(ofWorkspace.Where(m => m.Tool == CargoTool.ToolName && m.Scenario == Scenarios.Cold));
            var cargoNoOp = Median(ofWorkspace.Where(m => m.Tool == CargoTool.ToolName && m.Scenario == Scenarios.NoOp));
            foreach (var tool in ofWorkspace.Select(m => m.Tool).Distinct())
            {
                foreach (var scenario in Scenarios.All)
                {
                    var median = Median(ofWorkspace.Where(m => m.Tool == tool && m.Scenario == scenario));
                    if (double.IsNaN(median))
                        continue;
                    var isNoOp = Scenarios.IsNoOp(scenario);
                    report.Figures.Add(new Figure(workspace, tool, scenario, median,
                        RatioToCargoCold: isNoOp || double.IsNaN(cargoCold) ? null : median / cargoCold,
                        SecondsOverCargoNoOp: isNoOp && !double.IsNaN(cargoNoOp) ? median - cargoNoOp : null,
                        SecondsOverEmptyWrapperAndCargoNoOp: isNoOp && tool == DistBuildTool.ToolName && !double.IsNaN(emptyWrapperNoOp + cargoNoOp)
                            ? median - (emptyWrapperNoOp + cargoNoOp)
                            : null));
                }
            }
        }
        if (!double.IsNaN(emptyWrapperNoOp))
            report.Figures.Add(new Figure("*", WrapperProjects.EmptyWrapper, Scenarios.NoOp, emptyWrapperNoOp, null, null, null));
    }

    private static double Median(IEnumerable<Measurement> measurements) => Statistics.Median(measurements.Select(m => m.Seconds));
}
