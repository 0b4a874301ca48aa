using System.Net;
using System.Net.Sockets;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Channels;
using DistBuild.Tasks.Embedded;
using DistBuild.Tasks.Hosts;
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

    public void Dispose()
    {
        foreach (var pid in Processes.WithCommandLineContaining(_home, "DistBuild."))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    private EmbeddedClusterOptions Options(Func<int> port) => new(
        _home,
        HostCommand.For(RepositoryPaths.HostAssembly("DistBuild.Scheduler"), "dotnet"),
        HostCommand.For(RepositoryPaths.HostAssembly("DistBuild.Worker"), "dotnet"),
        "",
        TimeSpan.FromMinutes(2),
        TimeSpan.FromSeconds(60)) { ChooseSchedulerPort = port };

    private string WorkerLog() => File.ReadAllText(Path.Combine(_home, "logs", "worker.log"));

    private static async Task AssertAnswersAsync(string url)
    {
        using var channel = GrpcChannels.Create(url);
        await new Capabilities.CapabilitiesClient(channel).GetCapabilitiesAsync(new GetCapabilitiesRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
    }
}
