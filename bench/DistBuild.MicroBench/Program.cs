using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DistBuild.MicroBench;

// Microbenchmarks of the scheduler's request path and the CAS. See bench/README.md.
//   dotnet run -c Release --project bench/DistBuild.MicroBench -- [--quick] [BenchmarkDotNet options, e.g. --filter *Cas*]
// In-process: the generated out-of-process benchmark project would sit inside this repository and inherit its
// central package management and build settings; in-process keeps the numbers and avoids that build.
var quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToList();
if (!rest.Contains("--filter"))
    rest.AddRange(["--filter", "*"]);

var job = (quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
var config = DefaultConfig.Instance
    .AddJob(job.AsDefault())
    .WithArtifactsPath(Path.Combine(DistBuild.Testing.RepositoryPaths.Root, "BenchmarkDotNet.Artifacts"))
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromTypes([typeof(SchedulerOverheadBenchmarks), typeof(FindMissingBenchmarks), typeof(CasTransferBenchmarks)])
    .Run([.. rest], config);
