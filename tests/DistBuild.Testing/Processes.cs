namespace DistBuild.Testing;

/// <summary>Looks for live processes by their command line (a job's rustc that should be gone, a host left behind).</summary>
public static class Processes
{
    public static bool AnyWithArgument(string argument) =>
        Matching(arguments => arguments.Contains(argument)).Count > 0;

    /// <summary>Pids of the processes whose command line contains every one of <paramref name="parts"/>.</summary>
    public static List<int> WithCommandLineContaining(params string[] parts) =>
        Matching(arguments => parts.All(part => arguments.Any(a => a.Contains(part, StringComparison.Ordinal))));

    /// <summary>Kills the processes whose command line contains every one of <paramref name="parts"/> (hosts a test started), and waits for each.</summary>
    public static void KillWithCommandLineContaining(params string[] parts)
    {
        foreach (var pid in WithCommandLineContaining(parts))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(5000);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>Polls until the condition holds; false when it still does not after the timeout.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(100);
        }
        return true;
    }

    private static List<int> Matching(Func<string[], bool> commandLine)
    {
        var pids = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            try
            {
                if (commandLine(File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0')))
                    pids.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }
        return pids;
    }
}
