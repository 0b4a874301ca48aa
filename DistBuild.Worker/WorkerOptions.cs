using DistBuild.Worker.Isolation;

namespace DistBuild.Worker;

/// <summary>Settings of the worker host, bound from the `Worker` configuration section.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>Base URL of the scheduler (WorkerRegistry, CAS and ByteStream are all served there).</summary>
    public string Scheduler { get; set; } = "";

    /// <summary>The worker's id; defaults to the host name.</summary>
    public string Id { get; set; } = "";

    /// <summary>Port to listen on; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Address to listen on.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The URL the scheduler calls back on, when it differs from the address the worker listens on (NAT, containers).</summary>
    public string? AdvertiseAddress { get; set; }

    /// <summary>Jobs run at once.</summary>
    public int Slots { get; set; } = Environment.ProcessorCount;

    /// <summary>The rustc jobs run with: a path, or a name looked up on PATH.</summary>
    public string Rustc { get; set; } = "rustc";

    /// <summary>Blob cache and job sandboxes; default `$XDG_CACHE_HOME/distbuild/worker-ID` (or ~/.cache/…).</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>
    /// The scheduler's CAS directory (`Scheduler:DataDirectory/cas`) when the scheduler runs on this machine: blobs
    /// are then copied out of and put into it directly, and gRPC carries only what that cannot do. The embedded
    /// default sets it; a farm's workers leave it unset.
    /// </summary>
    public string? SchedulerCasDirectory { get; set; }

    /// <summary>Stop the process once the scheduler has been unreachable for <see cref="SchedulerGoneHeartbeats"/> heartbeat intervals.</summary>
    public bool ExitWhenSchedulerGone { get; set; }

    public int SchedulerGoneHeartbeats { get; set; } = 3;

    /// <summary>The local blob cache is trimmed (least recently used first) to this size after jobs.</summary>
    public long BlobCacheMaxBytes { get; set; } = 10L << 30;

    /// <summary>Used until the scheduler answers a registration with its own interval.</summary>
    public TimeSpan DefaultHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bearer token sent to the scheduler and required from it on WorkerService calls; DISTBUILD_TOKEN when not set.</summary>
    public string? Token { get; set; }

    /// <summary>PEM file of the CA that signed the scheduler's https certificate; DISTBUILD_CA_CERT when not set.</summary>
    public string? CaCertificate { get; set; }

    /// <summary>How jobs are confined; Bubblewrap unless explicitly None (or Auto, which falls back to none).</summary>
    public SandboxMode Sandbox { get; set; } = SandboxMode.Bubblewrap;

    /// <summary>The bubblewrap program: a path, or a name looked up on PATH.</summary>
    public string Bubblewrap { get; set; } = "bwrap";

    public string ResolveWorkDirectory()
    {
        if (!string.IsNullOrEmpty(WorkDirectory))
            return Path.GetFullPath(WorkDirectory);
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "distbuild", "worker-" + Id);
    }
}
