using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace DistBuild.Worker.Registration;

/// <summary>
/// The URL the scheduler calls this worker on. With port 0 only Kestrel knows the port, and only once it has
/// started, so the address is read from the server after start (or taken from Worker:AdvertiseAddress).
/// </summary>
public sealed class WorkerAddress(IServer server, IHostApplicationLifetime lifetime, IOptions<WorkerOptions> options)
{
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(options.Value.AdvertiseAddress))
            return options.Value.AdvertiseAddress;
        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
            await started.Task.WaitAsync(cancellationToken);
        }
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("the server reports no listening addresses");
        var address = addresses.FirstOrDefault() ?? throw new InvalidOperationException("the server listens on no address");
        // A wildcard address is not one the scheduler can dial; the host name is the best guess.
        var host = System.Net.Dns.GetHostName();
        return address.Replace("://[::]", "://" + host).Replace("://0.0.0.0", "://" + host).TrimEnd('/');
    }
}
