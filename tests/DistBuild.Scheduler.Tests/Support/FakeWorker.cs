using System.Threading.Channels;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Workers;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DistBuild.Scheduler.Tests.Support;

/// <summary>
/// A stand-in worker: a tiny in-test Kestrel host serving WorkerService that records the jobs pushed to it,
/// so dispatch can be tested over the wire without the real worker. The test answers through ReportJobResult.
/// </summary>
public sealed class FakeWorker : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopHeartbeats = new();
    private Task _heartbeats = Task.CompletedTask;

    private FakeWorker(WebApplication app, Jobs jobs, string address)
    {
        _app = app;
        Received = jobs;
        Address = address;
    }

    public string Address { get; }
    public Jobs Received { get; }

    public static async Task<FakeWorker> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var jobs = new Jobs();
        builder.Services.AddSingleton(jobs);
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeWorker(app, jobs, address);
    }

    /// <summary>Registers with the scheduler under <paramref name="workerId"/> and heartbeats every half second until stopped.</summary>
    public async Task RegisterAsync(GrpcChannel scheduler, string workerId, Build.Bazel.Remote.Execution.V2.Platform platform, int slots = 1)
    {
        var registry = new WorkerRegistry.WorkerRegistryClient(scheduler);
        await registry.RegisterWorkerAsync(new RegisterWorkerRequest { WorkerId = workerId, Address = Address, Slots = slots, Platform = platform });
        _heartbeats = Task.Run(async () =>
        {
            try
            {
                while (!_stopHeartbeats.IsCancellationRequested)
                {
                    await Task.Delay(500, _stopHeartbeats.Token);
                    await registry.HeartbeatAsync(new HeartbeatRequest { WorkerId = workerId }, cancellationToken: _stopHeartbeats.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException)
            {
            }
        });
    }

    /// <summary>Goes silent, as a hung or partitioned worker would.</summary>
    public async Task StopHeartbeatsAsync()
    {
        _stopHeartbeats.Cancel();
        await _heartbeats;
    }

    public async ValueTask DisposeAsync()
    {
        await StopHeartbeatsAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>What the scheduler sent.</summary>
    public sealed class Jobs
    {
        public Channel<ExecuteJobRequest> Executed { get; } = Channel.CreateUnbounded<ExecuteJobRequest>();
        public Channel<string> Cancelled { get; } = Channel.CreateUnbounded<string>();
    }

    private sealed class Service(Jobs jobs) : WorkerService.WorkerServiceBase
    {
        public override async Task<ExecuteJobResponse> ExecuteJob(ExecuteJobRequest request, ServerCallContext context)
        {
            await jobs.Executed.Writer.WriteAsync(request);
            return new ExecuteJobResponse();
        }

        public override async Task<CancelJobResponse> CancelJob(CancelJobRequest request, ServerCallContext context)
        {
            await jobs.Cancelled.Writer.WriteAsync(request.JobId);
            return new CancelJobResponse();
        }
    }
}
