using System.Net;
using DistBuild.Worker.BlobCache;
using DistBuild.Worker.Jobs;
using DistBuild.Worker.Registration;
using DistBuild.Worker.Toolchains;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace DistBuild.Worker.Hosting;

/// <summary>Wires the worker's parts together; Program.cs calls these in order.</summary>
public static class WorkerServiceCollectionExtensions
{
    /// <summary>Plain-text HTTP/2 on the configured address and port; gRPC needs HTTP/2 and the scheduler dials without TLS.</summary>
    public static void ListenForScheduler(this IWebHostBuilder webHost, WorkerOptions options) =>
        webHost.ConfigureKestrel(kestrel =>
        {
            void Http2(ListenOptions listen) => listen.Protocols = HttpProtocols.Http2;
            if (options.ListenAddress == "localhost")
                kestrel.ListenLocalhost(options.Port, Http2);
            else
                kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port, Http2);
        });

    public static IServiceCollection AddWorker(this IServiceCollection services, WorkerOptions options, WorkerToolchain toolchain)
    {
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(toolchain);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SchedulerConnection(options.Scheduler));
        services.AddSingleton<WorkerAddress>();
        services.AddSingleton(new JobSlots(options.Slots));
        services.AddSingleton(provider => new LocalBlobCache(
            Path.Combine(options.WorkDirectory!, "blobs"), options.BlobCacheMaxBytes,
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<LocalBlobCache>>()));
        services.AddSingleton(provider =>
        {
            var scheduler = provider.GetRequiredService<SchedulerConnection>();
            return new JobRunner(options.Id, options.WorkDirectory!, toolchain, provider.GetRequiredService<LocalBlobCache>(),
                instance => new CasStore(scheduler.Cas(instance)), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<JobRunner>>());
        });
        services.AddSingleton(provider => new JobResultReporter(provider.GetRequiredService<SchedulerConnection>().Registry, provider.GetRequiredService<ILogger<JobResultReporter>>()));
        services.AddSingleton<JobDispatcher>();
        services.AddHostedService<RegistrationLoop>();
        services.AddGrpc();
        return services;
    }
}
