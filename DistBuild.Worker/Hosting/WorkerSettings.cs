using System.Net;

namespace DistBuild.Worker.Hosting;

/// <summary>Reads <see cref="WorkerOptions"/> once at start, fills the defaults that depend on other settings, and says what is wrong with them.</summary>
public static class WorkerSettings
{
    /// <summary><see cref="Read"/>, with a value the binder cannot convert (`Worker:Sandbox=Maybe`) as an error instead of an exception.</summary>
    public static (WorkerOptions Options, string? Error) TryRead(IConfiguration configuration)
    {
        try
        {
            var options = Read(configuration);
            return (options, Validate(options));
        }
        catch (InvalidOperationException e)
        {
            return (new WorkerOptions(), e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message);
        }
    }

    public static WorkerOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        if (string.IsNullOrWhiteSpace(options.Id))
            options.Id = Environment.MachineName;
        options.WorkDirectory = options.ResolveWorkDirectory();
        if (string.IsNullOrEmpty(options.Token))
            options.Token = Environment.GetEnvironmentVariable("DISTBUILD_TOKEN") is { Length: > 0 } token ? token : null;
        return options;
    }

    /// <summary>Null when the settings can run a worker, else a message that says which one to fix.</summary>
    public static string? Validate(WorkerOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Scheduler))
            return "no scheduler is configured: pass --scheduler http://HOST:PORT (or set Worker:Scheduler)";
        if (!Uri.TryCreate(options.Scheduler, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"the scheduler address '{options.Scheduler}' is not a URL: expected http://HOST:PORT";
        if (options.Slots < 1)
            return $"Worker:Slots is {options.Slots}; a worker needs at least one slot";
        if (options.Port is < 0 or > 65535)
            return $"port {options.Port} is out of range (0 picks a free port)";
        if (options.ListenAddress != "localhost" && !IPAddress.TryParse(options.ListenAddress, out _))
            return $"Worker:ListenAddress '{options.ListenAddress}' is not an IP address";
        if (!string.IsNullOrEmpty(options.SchedulerCasDirectory) && !System.IO.Directory.Exists(options.SchedulerCasDirectory))
            return $"Worker:SchedulerCasDirectory '{options.SchedulerCasDirectory}' does not exist: it must be the CAS directory of a scheduler on this machine";
        if (!string.IsNullOrEmpty(options.CaCertificate) && !File.Exists(options.CaCertificate))
            return $"Worker:CaCertificate '{options.CaCertificate}' does not exist";
        if (options.DefaultHeartbeatInterval <= TimeSpan.Zero || options.SchedulerGoneHeartbeats < 1)
            return "Worker:DefaultHeartbeatInterval and Worker:SchedulerGoneHeartbeats must be positive";
        return null;
    }
}
