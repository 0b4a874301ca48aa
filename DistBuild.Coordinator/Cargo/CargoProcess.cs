using System.ComponentModel;
using System.Diagnostics;
using DistBuild.Protocol.Cargo;

namespace DistBuild.Coordinator.Cargo;

/// <summary>
/// Runs cargo with all three standard handles redirected (stdin closed at once), handing each stdout and stderr
/// line to a callback, and kills it with its children when cancelled.
/// </summary>
public static class CargoProcess
{
    /// <summary>Runs cargo to completion; returns its exit code. Throws <see cref="Win32Exception"/> when cargo cannot start.</summary>
    public static async Task<int> RunAsync(
        string cargo,
        CargoCommand command,
        IReadOnlyDictionary<string, string?> environment,
        Action<string> onStdout,
        Action<string> onStderr,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(cargo)
        {
            WorkingDirectory = command.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments())
            startInfo.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
        {
            if (value is null)
                startInfo.Environment.Remove(name);
            else
                startInfo.Environment[name] = value;
        }

        using var process = new Process { StartInfo = startInfo };
        process.Start();
        process.StandardInput.Close();
        var stdout = PumpAsync(process.StandardOutput, onStdout);
        var stderr = PumpAsync(process.StandardError, onStderr);
        using (cancellationToken.Register(() => Kill(process)))
        {
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return process.ExitCode;
    }

    /// <summary>cargo on PATH, else rustup's default location (a build started from an IDE may lack ~/.cargo/bin on PATH).</summary>
    public static string Locate(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return configured!;
        var name = OperatingSystem.IsWindows() ? "cargo.exe" : "cargo";
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
                return candidate;
        }
        var cargoHome = Environment.GetEnvironmentVariable("CARGO_HOME")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cargo");
        var rustup = Path.Combine(cargoHome, "bin", name);
        return File.Exists(rustup) ? rustup : name;
    }

    // A thread of its own per stream, not the thread pool: the coordinator's pool threads also serve the shims and copy
    // their outputs, and cargo stops starting compiles while a full pipe blocks its writes.
    private static Task PumpAsync(StreamReader reader, Action<string> onLine) =>
        Task.Factory.StartNew(() =>
        {
            while (reader.ReadLine() is { } line)
                onLine(line);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
