using System.Collections.Concurrent;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Workers;
using DistBuild.Scheduler.Security;
using Grpc.Net.Client;

namespace DistBuild.Scheduler.Workers;

/// <summary>WorkerService calls over gRPC, one channel per worker address, reused for every call, with the scheduler's worker token.</summary>
public sealed class GrpcWorkerClient(WorkerCredentials credentials) : IWorkerClient, IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<string, Lazy<GrpcChannel>> _channels = new(StringComparer.Ordinal);

    public async Task ExecuteJobAsync(string address, ExecuteJobRequest request, CancellationToken cancellationToken) =>
        await ClientFor(address).ExecuteJobAsync(request, deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken);

    public async Task CancelJobAsync(string address, string jobId, CancellationToken cancellationToken) =>
        await ClientFor(address).CancelJobAsync(new CancelJobRequest { JobId = jobId }, deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken);

    private WorkerService.WorkerServiceClient ClientFor(string address) =>
        new(_channels.GetOrAdd(address, a => new Lazy<GrpcChannel>(() => GrpcChannels.Create(a, credentials.Token, credentials.CaCertificatePath))).Value);

    public void Dispose()
    {
        foreach (var channel in _channels.Values.Where(c => c.IsValueCreated))
            channel.Value.Dispose();
    }
}
