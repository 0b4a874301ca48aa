using System.Net;
using System.Security.Cryptography.X509Certificates;
using DistBuild.Hosting;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Channels;
using DistBuild.Worker.BlobCache;
using DistBuild.Worker.Isolation;
using DistBuild.Worker.Jobs;
using DistBuild.Worker.Registration;
using DistBuild.Worker.Toolchains;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace DistBuild.Worker.Hosting;

/// <summary>Wires the worker's parts together; Program.cs calls these in order.</summary>
public static class WorkerServiceCollectionExtensions
{
    /// <summary>
    /// HTTP/2 (gRPC needs it) on the configured address and port: over TLS with <paramref name="certificate"/>
    /// (Kestrel:Certificates:Default), else plain text.
    /// </summary>
    public static void ListenForScheduler(this IWebHostBuilder webHost, WorkerOptions options, X509Certificate2? certificate) =>
        webHost.ConfigureKestrel(kestrel =>
        {
            void Http2(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                    listen.UseHttps(certificate);
            }
            if (options.ListenAddress == "localhost")
                kestrel.ListenLocalhost(options.Port, Http2);
            else
                kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port, Http2);
        });

    /// <summary>
    /// The certificate of Kestrel's standard `Kestrel:Certificates:Default` settings (`Path`, with `KeyPath` for PEM,
    /// `Password` for PKCS#12 or an encrypted key), or null when none is configured.
    /// </summary>
    public static (X509Certificate2? Certificate, string? Error) TryServerCertificate(IConfiguration configuration)
    {
        try
        {
            return (ServerCertificate(configuration), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return (null, $"the certificate of Kestrel:Certificates:Default ({configuration["Kestrel:Certificates:Default:Path"]}) cannot be loaded: {e.Message}");
        }
    }

    public static X509Certificate2? ServerCertificate(IConfiguration configuration)
    {
        var section = configuration.GetSection("Kestrel:Certificates:Default");
        var path = section["Path"];
        if (string.IsNullOrEmpty(path))
            return null;
        var keyPath = section["KeyPath"];
        var password = section["Password"];
        if (string.IsNullOrEmpty(keyPath))
            return X509CertificateLoader.LoadPkcs12FromFile(path, password);
        return string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
    }

    private static ICasStore SchedulerStore(WorkerOptions options, SchedulerConnection scheduler, string instance)
    {
        var remote = new CasStore(scheduler.Cas(instance));
        return string.IsNullOrEmpty(options.SchedulerCasDirectory) ? remote : new SameMachineCasStore(new LocalCasDirectory(options.SchedulerCasDirectory), remote);
    }

    public static IServiceCollection AddWorker(this IServiceCollection services, WorkerOptions options, WorkerToolchain toolchain, JobIsolation isolation)
    {
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(toolchain);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(isolation);
        services.AddSingleton(new SchedulerConnection(options.Scheduler, options.Token, options.CaCertificate));
        services.AddSingleton<WorkerAddress>();
        services.AddSingleton(new JobSlots(options.Slots));
        services.AddSingleton(_ => new RustcJobserver(RustcJobserver.DirectoryIn(options.WorkDirectory!), options.Slots));
        services.AddSingleton(provider => new LocalBlobCache(
            Path.Combine(options.WorkDirectory!, "blobs"), options.BlobCacheMaxBytes,
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<LocalBlobCache>>()));
        services.AddSingleton(provider =>
        {
            var scheduler = provider.GetRequiredService<SchedulerConnection>();
            return new JobRunner(options.Id, options.WorkDirectory!, toolchain, isolation, provider.GetRequiredService<RustcJobserver>(), provider.GetRequiredService<LocalBlobCache>(),
                instance => SchedulerStore(options, scheduler, instance), provider.GetRequiredService<JobResultReporter>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<JobRunner>>());
        });
        services.AddSingleton(provider => new JobResultReporter(provider.GetRequiredService<SchedulerConnection>().Registry, provider.GetRequiredService<ILogger<JobResultReporter>>()));
        services.AddSingleton<JobDispatcher>();
        services.AddHostedService<RegistrationLoop>();
        // With a token configured, only callers presenting it (the scheduler) may push or cancel jobs.
        services.AddSingleton(new BearerTokenInterceptor(options.Token is { } token ? [token] : [], "worker"));
        services.AddGrpc(grpc => grpc.Interceptors.Add<BearerTokenInterceptor>());
        services.RefuseMalformedRequests();
        return services;
    }
}
