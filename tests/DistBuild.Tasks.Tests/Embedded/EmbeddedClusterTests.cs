using System.Net;
using System.Net.Sockets;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Channels;
using DistBuild.Coordinator.Embedded;
using DistBuild.Protocol.Hosts;
using DistBuild.Testing;

namespace DistBuild.Tasks.Tests.Embedded;

/// <summary>The embedded default starting a real scheduler and worker (from the build output) in a home of their own.</summary>
public sealed class EmbeddedClusterTests : IDisposable
{
    private readonly List<string> _details = [];
    private readonly string _home = TemporaryDirectory.Create("embedded-home");

    [Fact]
    public async Task Scheduler_and_worker_start_side_by_side_on_the_chosen_port_and_the_worker_registers()
    {
        var port = TestHosts.FreePort();

        var url = await new EmbeddedCluster(Options(() => port), _details.Add).EnsureRunningAsync(CancellationToken.None);

        Assert.Equal($"http://127.0.0.1:{port}", url);
        await AssertAnswersAsync(url);
        Assert.Contains($"Registered with the scheduler at {url}", WorkerLog());
        Assert.DoesNotContain(_details, d => d.Contains("another process took", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_port_taken_before_the_scheduler_binds_it_costs_a_second_start_not_the_build()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var url = await new EmbeddedCluster(Options(() => port), _details.Add).EnsureRunningAsync(CancellationToken.None);

        Assert.NotEqual($"http://127.0.0.1:{port}", url);
        await AssertAnswersAsync(url);
        Assert.Contains($"Registered with the scheduler at {url}", WorkerLog());
        Assert.Contains(_details, d => d.Contains($"another process took http://127.0.0.1:{port}", StringComparison.Ordinal));
        // The worker started for the taken port was stopped, not left waiting for a scheduler that never came.
        Assert.True(await Processes.EventuallyAsync(() => Processes.WithCommandLineContaining(_home, "DistBuild.Worker.dll").Count == 1, TimeSpan.FromSeconds(10)),
            "worker processes for this home: " + Processes.WithCommandLineContaining(_home, "DistBuild.Worker.dll").Count);
    }

    [Fact]
    public async Task A_later_build_reuses_the_running_pair_once_its_scheduler_takes_a_connection()
    {
        var cluster = new EmbeddedCluster(Options(TestHosts.FreePort), _details.Add);
        var first = await cluster.EnsureRunningAsync(CancellationToken.None);
        var started = EmbeddedState.Read(StatePath)!;

        var second = await cluster.EnsureRunningAsync(CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(started, EmbeddedState.Read(StatePath));
        Assert.Contains(_details, d => d.StartsWith($"DistBuild: reusing the embedded scheduler at {first} (pid {started.SchedulerPid})", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pair_a_build_left_while_it_was_still_starting_is_waited_for_and_reused_not_replaced()
    {
        var port = TestHosts.FreePort();
        // A worker that never registers keeps the first start from finishing before it is left.
        var silentWorker = Path.Combine(System.IO.Directory.CreateDirectory(Path.Combine(_home, "silent")).FullName, "DistBuild.Worker");
        File.WriteAllText(silentWorker, "#!/bin/sh\nsleep 120\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(silentWorker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var leaving = new EmbeddedCluster(Options(() => port, HostCommand.For(silentWorker, "dotnet")), _details.Add);
        using var buildEnds = new CancellationTokenSource();
        var starting = leaving.EnsureRunningAsync(buildEnds.Token);
        await leaving.Recorded;
        // As a build ends that had nothing to compile, or one cancelled: the pair is recorded, not ready, the lock let go.
        buildEnds.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting);
        var recorded = EmbeddedState.Read(StatePath)!;
        Assert.True(DetachedProcess.IsRunning(recorded.SchedulerPid, "DistBuild.Scheduler"), "the recorded scheduler is not running");

        var url = await new EmbeddedCluster(Options(TestHosts.FreePort), _details.Add).EnsureRunningAsync(CancellationToken.None);

        Assert.Equal($"http://127.0.0.1:{port}", url);
        Assert.Equal(recorded, EmbeddedState.Read(StatePath));
        await AssertAnswersAsync(url);
        Assert.Single(Processes.WithCommandLineContaining(_home, "DistBuild.Scheduler.dll"));
    }

    [Fact]
    public async Task A_recorded_scheduler_that_takes_no_connections_is_replaced_by_a_new_pair()
    {
        var cluster = new EmbeddedCluster(Options(TestHosts.FreePort), _details.Add);
        await cluster.EnsureRunningAsync(CancellationToken.None);
        // Its process is still there, but nothing listens where the state says it does.
        var closed = $"http://127.0.0.1:{TestHosts.FreePort()}";
        var recorded = EmbeddedState.Read(StatePath)! with { Url = closed };
        recorded.Write(StatePath);

        var url = await cluster.EnsureRunningAsync(CancellationToken.None);

        Assert.NotEqual(closed, url);
        await AssertAnswersAsync(url);
        Assert.Equal(url, EmbeddedState.Read(StatePath)!.Url);
        Assert.Contains(_details, d => d.StartsWith($"DistBuild: the embedded scheduler at {closed} takes no connections", StringComparison.Ordinal));
        AssertStopped(recorded);
    }

    [Fact]
    public async Task A_pair_another_SDK_version_started_is_stopped_before_a_new_pair_starts_on_the_same_data_directory()
    {
        var cluster = new EmbeddedCluster(Options(TestHosts.FreePort), _details.Add);
        await cluster.EnsureRunningAsync(CancellationToken.None);
        // As an upgrade leaves it: the running pair was started from another package's scheduler.
        var recorded = EmbeddedState.Read(StatePath)! with { SchedulerProgram = "/old/distbuild.sdk/0.0.9/tools/scheduler/DistBuild.Scheduler" };
        recorded.Write(StatePath);

        var url = await cluster.EnsureRunningAsync(CancellationToken.None);

        await AssertAnswersAsync(url);
        Assert.NotEqual(recorded.SchedulerPid, EmbeddedState.Read(StatePath)!.SchedulerPid);
        AssertStopped(recorded);
        Assert.Single(Processes.WithCommandLineContaining(_home, "DistBuild.Scheduler.dll"));
    }

    private void AssertStopped(EmbeddedState recorded)
    {
        Assert.False(DetachedProcess.IsRunning(recorded.SchedulerPid, "DistBuild.Scheduler"), "the recorded scheduler still runs");
        Assert.False(DetachedProcess.IsRunning(recorded.WorkerPid, "DistBuild.Worker"), "the recorded worker still runs");
        Assert.Contains(_details, d => d.StartsWith($"DistBuild: stopped the embedded scheduler (pid {recorded.SchedulerPid}, {recorded.SchedulerProgram})", StringComparison.Ordinal));
    }

    public void Dispose() => Processes.KillWithCommandLineContaining(_home, "DistBuild.");

    private EmbeddedClusterOptions Options(Func<int> port, HostCommand? worker = null) => new(
        _home,
        HostCommand.For(RepositoryPaths.HostAssembly("DistBuild.Scheduler"), "dotnet"),
        worker ?? HostCommand.For(RepositoryPaths.HostAssembly("DistBuild.Worker"), "dotnet"),
        "",
        TimeSpan.FromMinutes(2),
        TimeSpan.FromSeconds(60)) { ChooseSchedulerPort = port };

    private string StatePath => Path.Combine(_home, "embedded.json");

    private string WorkerLog() => File.ReadAllText(Path.Combine(_home, "logs", "worker.log"));

    private static async Task AssertAnswersAsync(string url)
    {
        using var channel = GrpcChannels.Create(url);
        await new Capabilities.CapabilitiesClient(channel).GetCapabilitiesAsync(new GetCapabilitiesRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
    }
}
