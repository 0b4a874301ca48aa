using System.CommandLine;
using DistBuild.Bench;
using DistBuild.Bench.Reporting;
using DistBuild.Bench.Running;
using DistBuild.Bench.Tools;
using DistBuild.Bench.Workspaces;

// Macro benchmark: plain cargo, sccache, `dotnet build` with DistBuild off and DistBuild side by side, in one run. See bench/README.md.
var runs = new Option<int>("--runs", "-n") { Description = "Repetitions; figures are medians over them", DefaultValueFactory = _ => 3 };
var workspaces = new Option<string[]>("--workspace") { Description = "generated, realistic (default: both)", AllowMultipleArgumentsPerToken = true };
var tools = new Option<string[]>("--tools") { Description = "cargo, sccache, dotnet-cargo, distbuild (default: all that are available)", AllowMultipleArgumentsPerToken = true };
var crates = new Option<int>("--crates") { Description = "Generated workspace: library crates", DefaultValueFactory = _ => 40 };
var depth = new Option<int>("--depth") { Description = "Generated workspace: layers of the dependency graph", DefaultValueFactory = _ => 5 };
var width = new Option<int>("--width") { Description = "Generated workspace: dependencies of each crate on the layer below", DefaultValueFactory = _ => 3 };
var lines = new Option<int>("--lines") { Description = "Generated workspace: lines of Rust per library crate", DefaultValueFactory = _ => 400 };
var seed = new Option<int>("--seed") { Description = "Generated workspace: seed of the deterministic generator", DefaultValueFactory = _ => 1 };
var workDirectory = new Option<string>("--work-dir") { Description = "Scratch directory (workspaces, targets, caches)", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "distbuild-bench") };
var output = new Option<string?>("--output", "-o") { Description = "JSON result file (default bench/results/macro-UTCSTAMP.json)" };
var sdkFeed = new Option<string?>("--sdk-feed") { Description = "A folder holding a packed DistBuild.Sdk to use instead of packing the repository's" };
var sccache = new Option<string>("--sccache") { Description = "sccache executable", DefaultValueFactory = _ => "/usr/bin/sccache" };

var root = new RootCommand("Times cargo, sccache and DistBuild (dotnet build) building the same workspaces: cold, warm, no-op, edited leaf.")
{
    runs, workspaces, tools, crates, depth, width, lines, seed, workDirectory, output, sdkFeed, sccache,
};
root.SetAction(async (parse, cancellationToken) =>
{
    // `dotnet run` starts the tool in its project folder, so relative paths are taken from the repository root.
    var repository = RepositoryRoot.Find();
    var options = new BenchOptions(
        parse.GetValue(runs),
        Selection(parse.GetValue(workspaces), BenchOptions.AllWorkspaces),
        Selection(parse.GetValue(tools), BenchOptions.AllTools),
        new WorkspaceShape(parse.GetValue(crates), parse.GetValue(depth), parse.GetValue(width), parse.GetValue(lines), parse.GetValue(seed)),
        Path.GetFullPath(parse.GetValue(workDirectory)!, repository),
        Path.GetFullPath(parse.GetValue(output) ?? Path.Combine("bench", "results", $"macro-{DateTime.UtcNow:yyyyMMddTHHmmss}Z.json"), repository),
        parse.GetValue(sdkFeed) is { } feed ? Path.GetFullPath(feed, repository) : null,
        parse.GetValue(sccache)!);
    if (options.Validate() is { } error)
    {
        Console.Error.WriteLine(error);
        return 2;
    }
    try
    {
        return await BenchSession.RunAsync(options, repository, Console.Out, cancellationToken);
    }
    catch (InvalidOperationException e)
    {
        // A build under test failed or a tool is missing: the command and its output say why; a stack trace would not.
        Console.Error.WriteLine($"bench stopped: {e.Message}");
        return 1;
    }
});
return await root.Parse(args).InvokeAsync();

static IReadOnlySet<string> Selection(string[]? values, string[] all) =>
    (values is { Length: > 0 } ? values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) : all)
        .ToHashSet(StringComparer.Ordinal);
