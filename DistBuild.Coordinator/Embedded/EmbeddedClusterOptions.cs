using DistBuild.Protocol.Hosts;

namespace DistBuild.Coordinator.Embedded;

/// <summary>Where the embedded default keeps its state and which host builds it runs.</summary>
public sealed record EmbeddedClusterOptions(
    string Home,
    HostCommand Scheduler,
    HostCommand Worker,
    string InstanceName,
    TimeSpan IdleShutdown,
    TimeSpan StartTimeout)
{
    /// <summary>Picks the loopback port the scheduler is started on (one free a moment ago); a test gives a taken one.</summary>
    public Func<int> ChooseSchedulerPort { get; init; } = FreeLoopbackPort;

    /// <summary>The embedded scheduler's Scheduler:DataDirectory (CAS and action cache).</summary>
    public string SchedulerDataDirectory => Path.Combine(Home, "scheduler");

    /// <summary>DISTBUILD_HOME, else $XDG_CACHE_HOME/distbuild, else ~/.cache/distbuild.</summary>
    public static string DefaultHome()
    {
        var configured = Environment.GetEnvironmentVariable("DISTBUILD_HOME");
        if (!string.IsNullOrWhiteSpace(configured))
            return Path.GetFullPath(configured);
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cache))
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "distbuild");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
