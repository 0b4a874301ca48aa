namespace DistBuild.Scheduler;

/// <summary>
/// Settings of the scheduler host, bound from the `Scheduler` section of appsettings.json, the environment
/// (`Scheduler__WorkerTimeout=00:00:03`) and the command line (`--Scheduler:WorkerTimeout=00:00:03`).
/// The defaults here are the documented ones.
/// </summary>
public sealed class SchedulerOptions
{
    public const string Section = "Scheduler";

    /// <summary>Where the CAS (`cas/`) and the action cache (`ac/`) live.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    /// <summary>Size cap of the CAS; the least recently used blobs are evicted above it.</summary>
    public long CasMaxBytes { get; set; } = 10L << 30;

    /// <summary>The largest single blob the CAS accepts.</summary>
    public long MaxBlobBytes { get; set; } = 2L << 30;

    /// <summary>How often workers are told to heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A worker silent for this long is removed and its jobs are queued again.</summary>
    public TimeSpan WorkerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The timeout of an action that names none.</summary>
    public TimeSpan DefaultJobTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest timeout an action may ask for; longer ones are refused, as REAPI requires.</summary>
    public TimeSpan MaxJobTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many times a job is started (lost workers and worker errors included) before it fails.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>When positive, the host stops after this long with no client RPC and no job in flight.</summary>
    public TimeSpan IdleShutdown { get; set; } = TimeSpan.Zero;

    /// <summary>The one REAPI instance name this scheduler serves.</summary>
    public string InstanceName { get; set; } = "";

    /// <summary>How often a waiting Execute stream repeats the current operation, so it never looks hung.</summary>
    public TimeSpan OperationUpdateInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most files an action's input tree may hold (each occurrence counts); more is INVALID_ARGUMENT.</summary>
    public int MaxInputFiles { get; set; } = 100_000;

    /// <summary>The most bytes an action's input files may add up to; more is INVALID_ARGUMENT.</summary>
    public long MaxInputBytes { get; set; } = 8L << 30;

    /// <summary>Execute and WaitExecution streams one client (one peer address) may hold open; more is RESOURCE_EXHAUSTED.</summary>
    public int MaxOperationsPerClient { get; set; } = 1000;

    /// <summary>How many finished jobs the admin API remembers.</summary>
    public int JobHistory { get; set; } = 10_000;

    private static string DefaultDataDirectory()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "distbuild", "scheduler");
    }

    /// <summary>Binds the settings from configuration; null when they are usable, else what is wrong with them.</summary>
    public static string? Check(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        try
        {
            var options = new SchedulerOptions();
            Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection(Section), options);
            return options.Validate();
        }
        catch (InvalidOperationException e)
        {
            // The binder names the setting and the value it could not convert.
            return e.Message;
        }
    }

    /// <summary>Null when the settings are usable, else what is wrong with them.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
            return "Scheduler:DataDirectory is empty";
        if (CasMaxBytes <= 0)
            return $"Scheduler:CasMaxBytes must be positive (is {CasMaxBytes})";
        if (MaxBlobBytes <= 0)
            return $"Scheduler:MaxBlobBytes must be positive (is {MaxBlobBytes})";
        if (HeartbeatInterval <= TimeSpan.Zero || WorkerTimeout <= TimeSpan.Zero)
            return "Scheduler:HeartbeatInterval and Scheduler:WorkerTimeout must be positive";
        if (DefaultJobTimeout <= TimeSpan.Zero || MaxJobTimeout < DefaultJobTimeout)
            return "Scheduler:DefaultJobTimeout must be positive and at most Scheduler:MaxJobTimeout";
        if (MaxAttempts < 1)
            return $"Scheduler:MaxAttempts must be at least 1 (is {MaxAttempts})";
        if (IdleShutdown < TimeSpan.Zero)
            return "Scheduler:IdleShutdown must not be negative";
        if (OperationUpdateInterval <= TimeSpan.Zero)
            return "Scheduler:OperationUpdateInterval must be positive";
        if (MaxInputFiles < 1 || MaxInputBytes < 1)
            return "Scheduler:MaxInputFiles and Scheduler:MaxInputBytes must be positive";
        if (MaxOperationsPerClient < 1)
            return $"Scheduler:MaxOperationsPerClient must be at least 1 (is {MaxOperationsPerClient})";
        if (JobHistory < 1)
            return "Scheduler:JobHistory must be at least 1";
        return null;
    }
}
