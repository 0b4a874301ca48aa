using DistBuild.Faults.Tests.Support;
using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Cargo;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Diagnostics;
using DistBuild.Protocol.Hosts;
using DistBuild.Tasks.Coordination;
using DistBuild.Testing;
using Google.LongRunning;
using Grpc.Core;
using Xunit.Abstractions;

namespace DistBuild.Faults.Tests;

/// <summary>Ctrl+C of a build stops its remote work; a client that merely goes away does not.</summary>
public class CancelTests(ITestOutputHelper output)
{
    private readonly string _directory = TemporaryDirectory.Create("faults-cancel");

    [Fact]
    public async Task Cancelling_a_build_cancels_its_job_on_the_worker_through_CancelOperation()
    {
        File.WriteAllText(Path.Combine(_directory, "slow.rs"), FaultWorkspace.SlowSource(FaultWorkspace.SlowIterations * 20, "pub fn slow() -> u64 { SLOW }"));
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, Farm.FastLiveness);
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}", "--Worker:Slots=1");
        var admin = Farm.Admin(scheduler.Url, out var channel);
        using var _ = channel;
        var log = new RecordingLog();
        await using var coordinator = Farm.Coordinator(scheduler.Url, log);
        await coordinator.StartAsync(CancellationToken.None);

        var compile = Farm.CompileAsync(coordinator, _directory, "slow", "slow.rs");
        await worker.WaitForOutputAsync(@"running rustc slow \(lib\)", TimeSpan.FromMinutes(2));
        coordinator.Cancel();
        var result = await compile.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the build was cancelled", result.Stderr);
        await Farm.WaitUntilAsync(async () => (await admin.ListWorkersAsync(new ListWorkersRequest())).Workers.Single().BusySlots == 0
                && worker.Output.Contains("Cancelling job"), TimeSpan.FromSeconds(30), "the job stopping on the worker");
        var job = (await admin.ListJobsAsync(new ListJobsRequest())).Jobs.Single(j => j.Description == "rustc slow (lib)");
        output.WriteLine($"worker:\n{worker.Output}\nscheduler:\n{scheduler.Output}");
        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("cancelled by a client", job.Error);
        await worker.WaitForOutputAsync($"Job {job.JobId} did not run: Cancelled", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Cancelling_through_the_coordinator_process_as_the_task_does_cancels_the_job_on_the_worker()
    {
        File.WriteAllText(Path.Combine(_directory, "Cargo.toml"), "[package]\nname = \"slow\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\npath = \"slow.rs\"\n");
        File.WriteAllText(Path.Combine(_directory, "slow.rs"), FaultWorkspace.SlowSource(FaultWorkspace.SlowIterations * 20, "pub fn slow() -> u64 { SLOW }"));
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, Farm.FastLiveness);
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}", "--Worker:Slots=1");
        var request = new BuildRequest([new CargoCommand(Path.Combine(_directory, "Cargo.toml"), Path.Combine(_directory, "target"), "dev", [], "", false, [], Offline: true)])
        {
            Scheduler = scheduler.Url,
            RustcShim = RustTools.Shim,
            Cargo = RustTools.Cargo,
        };
        using var coordinator = CoordinatorProcess.Start(HostCommand.For(RepositoryPaths.HostAssembly("DistBuild.Coordinator"), "dotnet"), request);

        var cancelled = Task.Run(async () =>
        {
            await worker.WaitForOutputAsync(@"running rustc slow \(lib\)", TimeSpan.FromMinutes(2));
            coordinator.Cancel();
        });
        var events = new List<BuildEvent>();
        var exitCode = await Task.Run(() => coordinator.Relay(events.Add, _ => { })).WaitAsync(TimeSpan.FromMinutes(3));
        await cancelled;

        output.WriteLine($"coordinator:\n{string.Join('\n', events)}\nworker:\n{worker.Output}");
        Assert.Equal(1, exitCode);
        Assert.Contains(events, e => e is DiagnosticEvent { Diagnostic: { Code: DiagnosticCodes.Cancelled, Message: "DistBuild: the build was cancelled" } });
        await worker.WaitForOutputAsync(@"Job \S+ did not run: Cancelled", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task CancelOperation_of_an_unknown_operation_is_NOT_FOUND()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        using var channel = Protocol.Channels.GrpcChannels.Create(scheduler.Url);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new Operations.OperationsClient(channel).CancelOperationAsync(new CancelOperationRequest { Name = "no-such-operation" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}
