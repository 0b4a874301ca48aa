using DistBuild.Protocol.Channels;
using DistBuild.Testing;
using Grpc.Net.Client;

namespace DistBuild.Scheduler.Tests.Support;

/// <summary>A real scheduler process on a loopback port chosen at run time, with a channel to it; shared by the tests of a class.</summary>
public class SchedulerHost : IAsyncLifetime
{
    public HostProcess Process { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;
    public string DataDirectory { get; } = TemporaryDirectory.Create("scheduler-it");

    protected virtual string[] Settings => [];

    public async Task InitializeAsync()
    {
        Process = await TestHosts.StartSchedulerAsync(DataDirectory, Settings);
        Channel = GrpcChannels.Create(Process.Url);
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (Process is not null)
            await Process.DisposeAsync();
    }
}
