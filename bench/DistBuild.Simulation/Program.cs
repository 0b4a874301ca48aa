using System.CommandLine;
using System.Text.Json;
using DistBuild.Simulation.Driving;
using DistBuild.Simulation.Profiles;

// Scale simulation: a real build's crate graph replayed through the real scheduler on 1..64 simulated workers.
// See bench/README.md.
var workspace = new Option<string?>("--workspace") { Description = "Cargo workspace to profile (default: samples/realistic)" };
var graphFile = new Option<string?>("--graph") { Description = "A crate graph JSON saved by an earlier run, instead of profiling again" };
var scale = new Option<double>("--time-scale") { Description = "Factor applied to every compile time, to keep the replay short", DefaultValueFactory = _ => 0.1 };
var workers = new Option<int[]>("--workers") { Description = "Worker counts", DefaultValueFactory = _ => [1, 2, 4, 8, 16, 32, 64], AllowMultipleArgumentsPerToken = true };
var output = new Option<string?>("--output", "-o") { Description = "JSON result file (default bench/results/simulation-UTCSTAMP.json)" };

var root = new RootCommand("Replays a crate graph's compile times through the real scheduler on simulated workers and compares the makespan with the critical-path bound.")
{
    workspace, graphFile, scale, workers, output,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var repository = DistBuild.Testing.RepositoryPaths.Root;
    var factor = parse.GetValue(scale);
    if (factor <= 0)
    {
        Console.Error.WriteLine("--time-scale must be positive");
        return 2;
    }
    CrateGraph measured;
    // `dotnet run` starts the tool in its project folder, so relative paths are taken from the repository root.
    string FromRoot(string path) => Path.GetFullPath(path, repository);
    if (parse.GetValue(graphFile) is { } saved)
        measured = CrateGraph.Load(FromRoot(saved));
    else
    {
        var source = FromRoot(parse.GetValue(workspace) ?? Path.Combine("samples", "realistic"));
        measured = await CargoProfiler.ProfileAsync(source, Path.Combine(Path.GetTempPath(), "distbuild-simulation-target"), Console.Out, cancellationToken);
        var path = Path.Combine(repository, "bench", "results", $"crate-graph-{Path.GetFileName(source)}.json");
        measured.Save(path);
        Console.WriteLine($"Crate graph saved to {path} (replay it with --graph)");
    }
    var graph = measured.Scaled(factor);
    Console.WriteLine($"{graph.Nodes.Count} crates from {measured.Source}: total {measured.TotalSeconds:F2} s, critical path {measured.CriticalPathSeconds:F2} s; replayed with times x{factor}");

    var results = await new ScaleSimulation(Console.Out).RunAsync(graph, parse.GetValue(workers)!, cancellationToken);

    Console.WriteLine();
    Console.WriteLine("Scaled seconds. bound = max(critical path, total/N); ideal FIFO / ideal CP-first = zero-overhead list schedules.");
    Console.WriteLine("workers  makespan  critical path  total/N    bound  ideal FIFO  ideal CP-first  makespan/bound  makespan/ideal CP-first");
    foreach (var r in results)
        Console.WriteLine($"{r.Workers,7}  {r.MakespanSeconds,8:F3}  {r.CriticalPathSeconds,13:F3}  {r.TotalOverWorkersSeconds,7:F3}  {r.BoundSeconds,7:F3}  {r.IdealFifoSeconds,10:F3}  {r.IdealCriticalPathFirstSeconds,14:F3}  {r.Ratio,14:F3}  {r.OverheadRatio,23:F3}{(r.Ratio <= 1.10 ? "" : "   (target <= 1.10 missed)")}");
    var file = FromRoot(parse.GetValue(output) ?? Path.Combine("bench", "results", $"simulation-{DateTime.UtcNow:yyyyMMddTHHmmss}Z.json"));
    Directory.CreateDirectory(Path.GetDirectoryName(file)!);
    await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
    {
        source = measured.Source,
        crates = graph.Nodes.Count,
        timeScale = factor,
        measuredTotalSeconds = measured.TotalSeconds,
        measuredCriticalPathSeconds = measured.CriticalPathSeconds,
        results,
    }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }), cancellationToken);
    Console.WriteLine($"\nResults: {file}");
    return 0;
});
return await root.Parse(args).InvokeAsync();
