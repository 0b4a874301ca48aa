using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Workers;
using DistBuild.Testing;
using Google.Protobuf.WellKnownTypes;

namespace DistBuild.Scheduler.Tests.Integration;

/// <summary>Settings given on the command line change what the host does.</summary>
public sealed class HostSettingsTests
{
    [Fact]
    public async Task Scheduler_with_idle_shutdown_stops_itself_when_nobody_calls()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Scheduler:IdleShutdown=00:00:01");

        await scheduler.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(scheduler.HasExited);
        Assert.Contains("shutting down", scheduler.Output);
    }

    [Fact]
    public async Task A_new_connection_holds_off_idle_shutdown_as_a_call_does()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Scheduler:IdleShutdown=00:00:04");
        var port = new Uri(scheduler.Url).Port;

        // Connections without a single call (the SDK's check of a reused scheduler), every 0.2 s for more than twice
        // the idle period: a gap as long as the idle period would take a stall of the whole machine.
        for (var i = 0; i < 50; i++)
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            await Task.Delay(200);
        }
        Assert.False(scheduler.HasExited, "the scheduler shut down while clients kept connecting:\n" + scheduler.Output);

        await scheduler.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(scheduler.HasExited);
    }

    [Fact]
    public async Task Heartbeat_interval_from_the_command_line_is_what_workers_are_told()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Scheduler:HeartbeatInterval=00:00:07");
        using var channel = GrpcChannels.Create(scheduler.Url);

        var response = await new WorkerRegistry.WorkerRegistryClient(channel).RegisterWorkerAsync(
            new RegisterWorkerRequest { WorkerId = "w1", Address = "http://127.0.0.1:9", Slots = 1 });

        Assert.Equal(TimeSpan.FromSeconds(7), response.HeartbeatInterval.ToTimeSpan());
    }

    [Fact]
    public async Task Unusable_settings_stop_the_host_with_a_message_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHosts.StartSchedulerAsync(null, "--Scheduler:MaxAttempts=0"));

        Assert.Contains("Scheduler:MaxAttempts", error.Message);
    }

    [Fact]
    public async Task A_port_already_taken_stops_the_host_with_one_line_not_a_crash()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHosts.StartSchedulerOnPortAsync(port, TemporaryDirectory.Create("scheduler")));

        Assert.Contains($"The scheduler cannot start: Failed to bind to address http://127.0.0.1:{port}: address already in use.", error.Message);
        Assert.DoesNotContain("Unhandled exception", error.Message);
    }

    [Fact]
    public async Task Configured_instance_name_is_the_only_one_served()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Scheduler:InstanceName=farm");
        using var channel = GrpcChannels.Create(scheduler.Url);
        var cas = new Build.Bazel.Remote.Execution.V2.ContentAddressableStorage.ContentAddressableStorageClient(channel);

        await cas.FindMissingBlobsAsync(new Build.Bazel.Remote.Execution.V2.FindMissingBlobsRequest { InstanceName = "farm" });
        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => cas.FindMissingBlobsAsync(new Build.Bazel.Remote.Execution.V2.FindMissingBlobsRequest()).ResponseAsync);

        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("'farm'", error.Status.Detail);
    }
}
