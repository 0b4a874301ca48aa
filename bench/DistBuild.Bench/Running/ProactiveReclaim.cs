namespace DistBuild.Bench.Running;

/// <summary>
/// Whether the kernel's DAMON reclaims memory proactively: some cloud VMs run a DAMON `pageout` scheme that evicts
/// any page left untouched for about a minute, free memory or not. Between tools that skews the run: rustc's files
/// are used by every tool and stay cached, while the .NET SDK, MSBuild and DistBuild's hosts sit idle while cargo and
/// sccache build, and DistBuild's next build reads them from disk (a warm generated build after 90 s idle: 1.08–1.56 s
/// against 0.80–0.83 s; with DAMON stopped, 0.76–0.78 s either way). The run records the state and warns.
/// </summary>
public static class ProactiveReclaim
{
    private const string Daemons = "/sys/kernel/mm/damon/admin/kdamonds";

    /// <summary>The state files of the DAMON daemons that are running (empty when none is, or there is no DAMON).</summary>
    public static IReadOnlyList<string> RunningDaemons()
    {
        if (!Directory.Exists(Daemons))
            return [];
        return Directory.EnumerateDirectories(Daemons)
            .Select(daemon => Path.Combine(daemon, "state"))
            .Where(state => File.Exists(state) && ReadState(state) == "on")
            .ToList();
    }

    private static string ReadState(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
