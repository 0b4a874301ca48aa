using System.Net;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Workers;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DistBuild.Simulation.Workers;

/// <summary>
/// An in-process gRPC server that registers with the scheduler as a worker and heartbeats like one, but "runs"
/// a job by waiting its recorded duration. The scheduler cannot tell it from a real worker on the wire.
/// </summary>
public sealed class SimulatedWorker : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;
    private readonly CancellationTokenSource _stopping;
    private Task _heartbeats = Task.CompletedTask;

    private SimulatedWorker(WebApplication app, GrpcChannel channel, SimulatedJobs jobs, CancellationTokenSource stopping)
    {
        _app = app;
        _channel = channel;
        _stopping = stopping;
        Jobs = jobs;
    }

    public SimulatedJobs Jobs { get; }

    public static async Task<SimulatedWorker> StartAsync(string schedulerUrl, string workerId, int slots, Platform platform, CancellationToken cancellationToken)
    {
        var channel = GrpcChannels.Create(schedulerUrl);
        var registry = new WorkerRegistry.WorkerRegistryClient(channel);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var stopping = new CancellationTokenSource();
        var jobs = new SimulatedJobs(workerId, slots, registry, stopping.Token);
        builder.Services.AddSingleton(jobs);
        var app = builder.Build();
        app.MapGrpcService<SimulatedWorkerService>();
        await app.StartAsync(cancellationToken);
        var worker = new SimulatedWorker(app, channel, jobs, stopping);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        var response = await registry.RegisterWorkerAsync(
            new RegisterWorkerRequest { WorkerId = workerId, Address = address, Slots = slots, Platform = platform },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
        var interval = response.HeartbeatInterval?.ToTimeSpan() is { } answered && answered > TimeSpan.Zero ? answered : TimeSpan.FromSeconds(10);
        worker._heartbeats = worker.HeartbeatAsync(registry, interval);
        return worker;
    }

    private async Task HeartbeatAsync(WorkerRegistry.WorkerRegistryClient registry, TimeSpan interval)
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                await Task.Delay(interval, _stopping.Token);
                var request = new HeartbeatRequest { WorkerId = Jobs.WorkerId };
                request.RunningJobIds.AddRange(Jobs.RunningJobIds);
                await registry.HeartbeatAsync(request, cancellationToken: _stopping.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException && _stopping.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _heartbeats;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _channel.Dispose();
        _stopping.Dispose();
    }
}
