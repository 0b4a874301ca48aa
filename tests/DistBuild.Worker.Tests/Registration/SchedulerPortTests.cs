using System.Net;
using System.Net.Sockets;
using DistBuild.Testing;
using DistBuild.Worker.Registration;

namespace DistBuild.Worker.Tests.Registration;

/// <summary>The wait for a scheduler's port before a worker's first registration, against real loopback sockets.</summary>
public sealed class SchedulerPortTests
{
    [Fact]
    public async Task The_wait_ends_once_the_port_it_was_refused_by_starts_listening()
    {
        var port = TestHosts.FreePort();

        var waiting = SchedulerPort.WaitUntilListeningAsync($"http://127.0.0.1:{port}", TimeSpan.FromSeconds(60), TimeProvider.System, CancellationToken.None);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted, "the wait ended before anything listened");
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task The_wait_gives_up_after_its_patience_when_nothing_listens()
    {
        var url = $"http://127.0.0.1:{TestHosts.FreePort()}";

        Assert.False(await SchedulerPort.WaitUntilListeningAsync(url, TimeSpan.FromMilliseconds(50), TimeProvider.System, CancellationToken.None));
    }
}
