using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Workers;
using Grpc.Net.Client;

namespace DistBuild.Worker.Registration;

/// <summary>The one channel to the scheduler, which serves the worker registry and the CAS at the same URL, with the worker's token.</summary>
public sealed class SchedulerConnection(string schedulerUrl, string? token = null, string? caCertificate = null) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannels.Create(schedulerUrl, token, caCertificate);

    public string Url { get; } = schedulerUrl;

    public WorkerRegistry.WorkerRegistryClient Registry => new(_channel);

    public CasClient Cas(string instanceName) => new(_channel, instanceName);

    public void Dispose() => _channel.Dispose();
}
