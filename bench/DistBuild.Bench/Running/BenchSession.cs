using DistBuild.Bench.Reporting;
using DistBuild.Bench.Tools;
using DistBuild.Bench.Workspaces;

namespace DistBuild.Bench.Running;

/// <summary>One benchmark run: prepares the workspaces and tools, measures, prints the table and writes the JSON.</summary>
public static class BenchSession
{
    public static async Task<int> RunAsync(BenchOptions options, string repository, TextWriter log, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.WorkDirectory);
        var reclaim = ProactiveReclaim.RunningDaemons();
        if (reclaim.Count > 0)
            log.WriteLine($"WARNING: DAMON proactive reclaim is running; it evicts files a tool left idle for a minute, which DistBuild's .NET files are while the other tools build. Stop it for the run by writing off to {string.Join(", ", reclaim)}");
        var report = new BenchReport
        {
            Started = DateTimeOffset.UtcNow,
            Machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, DAMON proactive reclaim {(reclaim.Count > 0 ? "on" : "off")}",
            Rustc = await RustcVersionAsync(cancellationToken),
            Repetitions = options.Runs,
        };

        var discarded = new DiscardedDirectories(Path.Combine(options.WorkDirectory, "discarded"));
        try
        {
            await MeasureAsync(options, repository, report, discarded, log, cancellationToken);
        }
        finally
        {
            discarded.DeleteAll();
        }
        return 0;
    }

    private static async Task MeasureAsync(BenchOptions options, string repository, BenchReport report, DiscardedDirectories discarded, TextWriter log, CancellationToken cancellationToken)
    {
        var workspaces = new List<BenchWorkspace>();
        if (options.Workspaces.Contains("generated"))
        {
            var root = Path.Combine(options.WorkDirectory, "workspaces", "generated");
            discarded.Discard(root);
            workspaces.Add(WorkspaceGenerator.Generate(options.Shape, root));
        }
        if (options.Workspaces.Contains(RealisticSample.Name))
        {
            var destination = Path.Combine(options.WorkDirectory, "workspaces", RealisticSample.Name);
            discarded.Discard(destination);
            var realistic = RealisticSample.Prepare(repository, destination, out var reason);
            if (realistic is null)
            {
                log.WriteLine($"Skipping the realistic sample: {reason}");
                report.Skipped.Add($"realistic sample skipped: {reason}");
            }
            else
                workspaces.Add(realistic);
        }
        foreach (var workspace in workspaces)
            report.Workspaces.Add(new WorkspaceReport(workspace.Name, workspace.Description, workspace.Packages, workspace.LeafCrate));

        var tools = new List<BuildTool> { new CargoTool() };
        if (options.Tools.Contains(SccacheTool.ToolName))
        {
            if (SccacheTool.Find(options.SccachePath) is { } sccache)
                tools.Add(new SccacheTool(sccache, discarded));
            else
                Skip(report, log, $"sccache skipped: {options.SccachePath} is not installed");
        }
        if (options.Tools.Contains(DistBuildTool.ToolName) || options.Tools.Contains(DotnetCargoTool.ToolName))
        {
            try
            {
                log.WriteLine("Packing DistBuild.Sdk and restoring the wrapper projects (untimed)...");
                var sdk = await SdkPackage.PrepareAsync(repository, options.SdkFeed, Path.Combine(options.WorkDirectory, "feed"), cancellationToken);
                var wrappers = new WrapperProjects(sdk, options.WorkDirectory);
                await wrappers.PrepareAsync(workspaces, cancellationToken);
                if (options.Tools.Contains(DotnetCargoTool.ToolName))
                    tools.Add(new DotnetCargoTool(wrappers));
                if (options.Tools.Contains(DistBuildTool.ToolName))
                    tools.Add(new DistBuildTool(wrappers, options.WorkDirectory, discarded));
                log.WriteLine($"DistBuild.Sdk {sdk.Version} from {sdk.Feed}");
            }
            catch (Exception e) when (e is SdkUnavailableException or InvalidOperationException)
            {
                Skip(report, log, $"DistBuild skipped: {e.Message}");
            }
        }

        log.WriteLine($"Measuring {string.Join(", ", tools.Select(t => t.Name))} on {string.Join(", ", workspaces.Select(w => w.Name))}, {options.Runs} run(s), CARGO_INCREMENTAL=0, debug profile");
        await new MacroBenchmark(options.WorkDirectory, options.Runs, discarded, log).RunAsync(workspaces, tools, report, cancellationToken);

        FigureCalculator.Compute(report);
        SummaryTable.Print(report, log);
        report.Write(options.Output);
        log.WriteLine($"\nResults: {options.Output}");
    }

    private static void Skip(BenchReport report, TextWriter log, string message)
    {
        log.WriteLine(message);
        report.Skipped.Add(message);
    }

    private static async Task<string> RustcVersionAsync(CancellationToken cancellationToken)
    {
        var cargoBin = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cargo", "bin");
        var result = await CommandRunner.RunAsync("rustc", ["--version"], Environment.CurrentDirectory,
            new Dictionary<string, string?> { ["PATH"] = cargoBin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") },
            TimeSpan.FromMinutes(1), cancellationToken);
        return result.Output.Trim();
    }
}
