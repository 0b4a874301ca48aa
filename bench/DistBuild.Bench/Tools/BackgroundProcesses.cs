namespace DistBuild.Bench.Tools;

/// <summary>
/// Finds the embedded scheduler and worker a repetition's builds started (they outlive `dotnet build` by design)
/// by the DISTBUILD_HOME path in their command line or environment, and stops them by process id.
/// </summary>
public static class BackgroundProcesses
{
    public static int StopThoseMentioning(string path)
    {
        if (!OperatingSystem.IsLinux())
            return 0;
        var self = Environment.ProcessId;
        var stopped = 0;
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == self)
                continue;
            if (!Mentions(Path.Combine(directory, "cmdline"), path) && !Mentions(Path.Combine(directory, "environ"), path))
                continue;
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
                stopped++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already, or not ours to stop.
            }
        }
        return stopped;
    }

    private static bool Mentions(string procFile, string path)
    {
        try
        {
            // The path ends there or continues below it: run1 must not match run10.
            var text = File.ReadAllText(procFile);
            return text.Contains(path + "/", StringComparison.Ordinal) || text.Contains(path + "\0", StringComparison.Ordinal)
                || text.EndsWith(path, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
