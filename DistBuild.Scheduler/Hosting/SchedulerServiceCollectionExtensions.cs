using DistBuild.Protocol.Cas;
using DistBuild.Hosting;
using DistBuild.Protocol.Channels;
using DistBuild.Scheduler.ActionCache;
using DistBuild.Scheduler.Cas;
using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Requests;
using DistBuild.Scheduler.Security;
using DistBuild.Scheduler.Workers;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace DistBuild.Scheduler.Hosting;

/// <summary>The scheduler's parts, registered once for Program.cs.</summary>
public static class SchedulerServiceCollectionExtensions
{
    /// <summary>Binds <see cref="SchedulerOptions"/> from the `Scheduler` section and refuses to start with unusable settings.</summary>
    public static IServiceCollection AddSchedulerOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SchedulerOptions>()
            .Bind(configuration.GetSection(SchedulerOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidation>();
        return services;
    }

    /// <summary>Storage, the job queue, the worker registry, and the loops that drive them.</summary>
    public static IServiceCollection AddSchedulerCore(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SchedulerOptions>>().Value;
            return new ContentStore(LocalCasDirectory.InDataDirectory(options.DataDirectory), options.CasMaxBytes, options.MaxBlobBytes,
                sp.GetRequiredService<ILogger<ContentStore>>(), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp => new ActionCacheStore(
            Path.Combine(sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.DataDirectory, "ac"),
            sp.GetRequiredService<ContentStore>(), sp.GetRequiredService<ILogger<ActionCacheStore>>()));
        services.AddSingleton<UploadSessions>();
        services.AddSingleton<ResultInliner>();
        services.AddSingleton<RequestChecks>();
        services.AddSingleton<ActionLoader>();
        services.AddSingleton<WorkerRegistry>();
        services.AddSingleton<JobScheduler>();
        services.AddSingleton<IWorkerClient, GrpcWorkerClient>();
        services.AddSingleton<JobDispatcher>();
        services.AddSingleton<LivenessMonitor>();
        services.AddSingleton<ActivityTracker>();
        services.AddHostedService<SchedulingLoop>();
        services.AddHostedService<IdleShutdown>();
        return services;
    }

    /// <summary>gRPC with message limits that fit a batch of blobs, the bearer token check, and the activity count for idle shutdown.</summary>
    public static IServiceCollection AddSchedulerGrpc(this IServiceCollection services)
    {
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = GrpcChannels.MaxMessageSize;
            grpc.MaxSendMessageSize = GrpcChannels.MaxMessageSize;
            grpc.EnableDetailedErrors = false;
            // Authentication first: a refused call never counts as activity nor reaches a service.
            grpc.Interceptors.Add<BearerTokenInterceptor>();
            grpc.Interceptors.Add<ActivityInterceptor>();
            grpc.Interceptors.Add<OperationLimitInterceptor>();
        });
        services.RefuseMalformedRequests();
        return services;
    }

    /// <summary>
    /// gRPC needs HTTP/2, which Kestrel only speaks without TLS when told to. Larger flow-control windows than
    /// the defaults let a blob upload fill a fast link instead of waiting for window updates. A new connection counts
    /// as activity for idle shutdown: the SDK checks that the embedded scheduler it reuses takes connections (rather than
    /// calling it from inside MSBuild's process), and the build that follows must still find it.
    /// Connections that last (a worker's, a build's) count once; their calls count as they come.
    /// </summary>
    public static IWebHostBuilder UseSchedulerKestrel(this IWebHostBuilder webHost) =>
        webHost.ConfigureKestrel(kestrel =>
        {
            var activity = kestrel.ApplicationServices.GetRequiredService<ActivityTracker>();
            kestrel.ConfigureEndpointDefaults(endpoint =>
            {
                endpoint.Protocols = HttpProtocols.Http2;
                endpoint.Use(next => connection =>
                {
                    activity.Touch();
                    return next(connection);
                });
            });
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 8 << 20;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            // Fewer, larger DATA frames for 1 MiB ByteStream chunks (the default is 16 KiB).
            kestrel.Limits.Http2.MaxFrameSize = 1 << 20;
        });

    private sealed class SchedulerOptionsValidation : IValidateOptions<SchedulerOptions>
    {
        public ValidateOptionsResult Validate(string? name, SchedulerOptions options) =>
            options.Validate() is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
    }
}
