using DistBuild.Bench.Reporting;
using DistBuild.Bench.Tools;
using DistBuild.Bench.Workspaces;

namespace DistBuild.Bench.Running;

/// <summary>
/// Runs every tool through the four scenarios on every workspace (DistBuild through a fifth, a no-op after its
/// embedded hosts stopped), repetition after repetition. Tools are interleaved scenario by scenario (every tool's
/// cold build, then every tool's warm build, and so on), and the order rotates from one repetition to the next, so
/// the builds a ratio compares run back to back: neither a noisy neighbour that comes and goes over minutes nor a page
/// cache warmed by the previous tool favours one tool. Each tool keeps its own target directory and cache between its
/// scenarios. One untimed plain cargo build per workspace comes first, so the first timed build does not pay for
/// reading the sources from disk, and each timed build starts once the disk has written back what the builds before
/// it wrote. Directories are discarded, not deleted, until the end (<see cref="DiscardedDirectories"/>).
/// </summary>
public sealed class MacroBenchmark(string workDirectory, int repetitions, DiscardedDirectories discarded, TextWriter log)
{
    public async Task RunAsync(IReadOnlyList<BenchWorkspace> workspaces, IReadOnlyList<BuildTool> tools, BenchReport report, CancellationToken cancellationToken)
    {
        var expectedOutput = new Dictionary<string, string>();
        foreach (var workspace in workspaces)
        {
            var priming = Path.Combine(workDirectory, "targets", workspace.Name, "priming");
            log.WriteLine($"  priming the page cache: untimed cargo build of {workspace.Name}");
            await new CargoTool().BuildAsync(workspace, priming, cancellationToken);
            discarded.Discard(priming);
        }
        for (var repetition = 1; repetition <= repetitions; repetition++)
        {
            var order = tools.Skip((repetition - 1) % tools.Count).Concat(tools.Take((repetition - 1) % tools.Count)).ToList();
            foreach (var workspace in workspaces)
                await RunRepetitionAsync(workspace, order, repetition, expectedOutput, report, cancellationToken);

            if (tools.OfType<DistBuildTool>().FirstOrDefault() is { } distBuild)
            {
                var elapsed = await distBuild.EmptyWrapperNoOpAsync(cancellationToken);
                report.Measurements.Add(new Measurement("*", WrapperProjects.EmptyWrapper, Scenarios.NoOp, repetition, elapsed.TotalSeconds));
                log.WriteLine($"  run {repetition}  {WrapperProjects.EmptyWrapper,-10} {Scenarios.NoOp,-12} {elapsed.TotalSeconds,8:F2} s");
            }
        }
    }

    private async Task RunRepetitionAsync(BenchWorkspace workspace, IReadOnlyList<BuildTool> order, int repetition, Dictionary<string, string> expectedOutput,
        BenchReport report, CancellationToken cancellationToken)
    {
        string Target(BuildTool tool) => Path.Combine(workDirectory, "targets", workspace.Name, tool.Name);
        var started = new List<BuildTool>();
        try
        {
            foreach (var tool in order)
            {
                discarded.Discard(Target(tool));
                started.Add(tool);
                await tool.BeginRepetitionAsync(workDirectory, $"{workspace.Name}-run{repetition}", cancellationToken);
            }
            foreach (var tool in order)
            {
                await MeasureAsync(Scenarios.Cold, workspace, tool, Target(tool), repetition, report, cancellationToken);
                await CheckOutputAsync(workspace, tool, Target(tool), expectedOutput, report, repetition, cancellationToken);
            }
            foreach (var tool in order)
            {
                discarded.Discard(Target(tool));
                await MeasureAsync(Scenarios.Warm, workspace, tool, Target(tool), repetition, report, cancellationToken);
            }
            foreach (var tool in order)
                await MeasureAsync(Scenarios.NoOp, workspace, tool, Target(tool), repetition, report, cancellationToken);
            foreach (var tool in order.OfType<DistBuildTool>())
            {
                tool.StopEmbeddedHosts();
                await MeasureAsync(Scenarios.NoOpHostsStopped, workspace, tool, Target(tool), repetition, report, cancellationToken);
            }
            // One edit for all tools: each target directory still holds the build before it, so each rebuilds the same crates.
            workspace.EditLeaf(repetition);
            try
            {
                foreach (var tool in order)
                    await MeasureAsync(Scenarios.EditedLeaf, workspace, tool, Target(tool), repetition, report, cancellationToken);
            }
            finally
            {
                workspace.RevertLeaf();
            }
        }
        finally
        {
            foreach (var tool in started)
                await tool.EndRepetitionAsync(cancellationToken);
        }
    }

    private async Task MeasureAsync(string scenario, BenchWorkspace workspace, BuildTool tool, string target, int repetition, BenchReport report, CancellationToken cancellationToken)
    {
        // A cold build leaves ~80 MB (generated workspace) to ~1 GB of outputs, and a deleted target directory its
        // unlinks, for the kernel to write back; without this the next scenario pays for them, whichever tool runs it.
        if (!OperatingSystem.IsWindows())
            await CommandRunner.RunCheckedAsync("sync", [], workDirectory, new Dictionary<string, string?>(), TimeSpan.FromMinutes(5), cancellationToken);
        var elapsed = await tool.BuildAsync(workspace, target, cancellationToken);
        var note = await tool.DescribeLastBuildAsync(cancellationToken);
        report.Measurements.Add(new Measurement(workspace.Name, tool.Name, scenario, repetition, elapsed.TotalSeconds, note));
        log.WriteLine($"  run {repetition}  {workspace.Name,-10} {tool.Name,-10} {scenario,-12} {elapsed.TotalSeconds,8:F2} s{(note is null ? "" : "   " + note)}");
    }

    /// <summary>Runs the binary each tool built; an output different from the first one seen means a build is wrong.</summary>
    private async Task CheckOutputAsync(BenchWorkspace workspace, BuildTool tool, string target, Dictionary<string, string> expected, BenchReport report,
        int repetition, CancellationToken cancellationToken)
    {
        var binary = Path.Combine(target, "debug", workspace.Binary);
        if (!File.Exists(binary))
        {
            report.Skipped.Add($"{tool.Name} on {workspace.Name}, run {repetition}: no binary at {binary} after the cold build");
            log.WriteLine($"  WARNING: {tool.Name} left no binary at {binary}");
            return;
        }
        var result = await CommandRunner.RunAsync(binary, [], workspace.Root, new Dictionary<string, string?>(), TimeSpan.FromMinutes(1), cancellationToken);
        var output = result.Output.Trim();
        if (!expected.TryAdd(workspace.Name, output) && expected[workspace.Name] != output)
        {
            report.Skipped.Add($"{tool.Name} on {workspace.Name}, run {repetition}: the binary printed '{output}', an earlier build's printed '{expected[workspace.Name]}'");
            log.WriteLine($"  WARNING: {tool.Name}'s binary printed '{output}', expected '{expected[workspace.Name]}'");
        }
    }
}
