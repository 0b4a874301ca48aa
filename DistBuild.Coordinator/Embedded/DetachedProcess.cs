using System.Diagnostics;

namespace DistBuild.Coordinator.Embedded;

/// <summary>
/// Starts a background process that outlives the build and holds none of its handles. A child that inherits
/// `dotnet build`'s stdout or stderr keeps the build from returning until it exits, and .NET's Process always
/// hands its standard handles down; so the daemon is started by `/bin/sh`, in a new session (setsid), with
/// stdin from /dev/null and stdout and stderr appended to a log file. The shell exits at once.
/// </summary>
public static class DetachedProcess
{
    private const string Launcher = "log=\"$1\"; shift; $DISTBUILD_SETSID \"$@\" </dev/null >\"$log\" 2>&1 & echo $!";

    /// <summary>Starts FILE ARGS detached, its output in <paramref name="logPath"/> (truncated); returns its process id.</summary>
    public static int Start(string fileName, IEnumerable<string> arguments, string logPath, IReadOnlyDictionary<string, string?> environment)
    {
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(Launcher);
        startInfo.ArgumentList.Add("sh");
        startInfo.ArgumentList.Add(logPath);
        startInfo.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        // In a non-interactive shell a background job is not a process-group leader, so setsid execs in place
        // and $! is the daemon's own pid.
        startInfo.Environment["DISTBUILD_SETSID"] = FindSetsid() ?? "";
        foreach (var (name, value) in environment)
        {
            if (value is null)
                startInfo.Environment.Remove(name);
            else
                startInfo.Environment[name] = value;
        }

        using var shell = Process.Start(startInfo)!;
        shell.StandardInput.Close();
        var stdout = shell.StandardOutput.ReadToEndAsync();
        var stderr = shell.StandardError.ReadToEndAsync();
        if (!shell.WaitForExit(10_000))
        {
            shell.Kill();
            throw new InvalidOperationException($"/bin/sh did not return while starting {Path.GetFileName(fileName)}");
        }
        if (shell.ExitCode != 0 || !int.TryParse(stdout.Result.Trim(), out var pid))
            throw new InvalidOperationException($"could not start {Path.GetFileName(fileName)} in the background: {stderr.Result.Trim()}");
        return pid;
    }

    /// <summary>
    /// Ends the process if it is still the one started (its command line contains <paramref name="marker"/>), and
    /// waits for it to exit; false when it was not running.
    /// </summary>
    public static bool Kill(int pid, string marker)
    {
        if (!IsRunning(pid, marker))
            return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It ended meanwhile.
        }
        // Gone before the caller goes on (a new scheduler must not start on the same data directory meanwhile). Not
        // Process.WaitForExit: the process is not our child, and as a zombie it would count as running.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (IsRunning(pid, marker) && DateTime.UtcNow < deadline)
            Thread.Sleep(20);
        return true;
    }

    /// <summary>Whether the process is alive and its command line contains <paramref name="marker"/> (guards against pid reuse).</summary>
    public static bool IsRunning(int pid, string marker)
    {
        if (pid <= 0)
            return false;
        var cmdline = $"/proc/{pid}/cmdline";
        if (File.Exists(cmdline))
        {
            try
            {
                // The command line reads empty while the process is inside execve (the launcher's shell becomes
                // setsid, then dotnet, right when the first check runs) and for a zombie: only the zombie is gone.
                var text = File.ReadAllText(cmdline);
                return text.Length == 0 ? !IsZombie(pid) : text.Contains(marker, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>State Z (zombie) or X (dead) in /proc/PID/stat, the field after the parenthesised command name.</summary>
    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 1)..].TrimStart();
            return state.Length == 0 || state[0] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static string? FindSetsid() =>
        new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
}
