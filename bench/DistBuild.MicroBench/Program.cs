using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DistBuild.MicroBench;

// Microbenchmarks of the scheduler's request path and the CAS. See bench/README.md.
//   dotnet run -c Release --project bench/DistBuild.MicroBench -- [--quick] [--scheduler PATH] [BenchmarkDotNet options, e.g. --filter *Cas*]
// --scheduler runs another build of the scheduler than the solution's output, e.g. the NativeAOT host a pack publishes
// (DistBuild.Sdk/obj/payload/Release/scheduler/DistBuild.Scheduler), which is what the embedded default runs.
// In-process: the generated out-of-process benchmark project would sit inside this repository and inherit its
// central package management and build settings; in-process keeps the numbers and avoids that build.
var quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToList();
var schedulerOption = rest.IndexOf("--scheduler");
if (schedulerOption >= 0)
{
    if (schedulerOption + 1 >= rest.Count || !File.Exists(rest[schedulerOption + 1]))
    {
        Console.Error.WriteLine("--scheduler needs the path of a scheduler assembly or executable that exists");
        return 2;
    }
    SchedulerConnection.Program = Path.GetFullPath(rest[schedulerOption + 1]);
    Console.WriteLine($"scheduler: {SchedulerConnection.Program}");
    rest.RemoveRange(schedulerOption, 2);
}
if (!rest.Contains("--filter"))
    rest.AddRange(["--filter", "*"]);

var job = (quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
var config = DefaultConfig.Instance
    .AddJob(job.AsDefault())
    .WithArtifactsPath(Path.Combine(DistBuild.Testing.RepositoryPaths.Root, "BenchmarkDotNet.Artifacts"))
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromTypes([typeof(SchedulerOverheadBenchmarks), typeof(FindMissingBenchmarks), typeof(CasTransferBenchmarks)])
    .Run([.. rest], config);
return 0;
