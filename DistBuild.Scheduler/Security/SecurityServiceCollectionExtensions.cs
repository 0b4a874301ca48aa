using DistBuild.Protocol.Channels;

namespace DistBuild.Scheduler.Security;

/// <summary>Registers who may call the scheduler; <see cref="Hosting.SchedulerServiceCollectionExtensions.AddSchedulerGrpc"/> puts the check in front of every service.</summary>
public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddSchedulerAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var tokens = options.AcceptedTokens();
        services.AddSingleton(options);
        services.AddSingleton(new BearerTokenInterceptor(tokens, "scheduler"));
        services.AddSingleton<OperationLimitInterceptor>();
        services.AddSingleton(new WorkerCredentials(string.IsNullOrEmpty(options.WorkerToken) ? tokens.FirstOrDefault() : options.WorkerToken, options.WorkerCaCertificate));
        return services;
    }

    /// <summary>Says at start whether calls are authenticated, so an open scheduler is never a surprise.</summary>
    public static void LogAuthentication(this WebApplication app)
    {
        var interceptor = app.Services.GetRequiredService<BearerTokenInterceptor>();
        if (interceptor.Enabled)
            app.Logger.LogInformation("Every call must carry one of the configured bearer tokens (Auth:Tokens, Auth:TokenFile)");
        else
            app.Logger.LogWarning("No bearer token is configured (Auth:Tokens): every client and worker that reaches this address is accepted");
    }
}

/// <summary>What the scheduler presents when it calls a worker: a bearer token and the CA its https certificate must chain to.</summary>
public sealed record WorkerCredentials(string? Token, string? CaCertificatePath);
