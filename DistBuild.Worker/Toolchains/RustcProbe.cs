using System.ComponentModel;
using System.Diagnostics;
using DistBuild.Protocol.Toolchains;

namespace DistBuild.Worker.Toolchains;

/// <summary>Finds the configured rustc and asks it who it is (`rustc -vV`), so the worker can advertise its toolchain.</summary>
public static class RustcProbe
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The toolchain, or null with the reason in <paramref name="error"/>.</summary>
    public static async Task<(WorkerToolchain? Toolchain, string? Error)> ProbeAsync(string configured, CancellationToken cancellationToken)
    {
        var path = Resolve(configured);
        if (path is null)
            return (null, $"rustc '{configured}' was not found (searched PATH={Environment.GetEnvironmentVariable("PATH")}); install Rust or set Worker:Rustc to its path");
        var startInfo = new ProcessStartInfo(path, ["-vV"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(startInfo)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
                return (null, $"`{path} -vV` exited with code {process.ExitCode}: {(await stderr).Trim()}");
            return (new WorkerToolchain(path, RustToolchain.Parse(await stdout)), null);
        }
        catch (Win32Exception e)
        {
            return (null, $"rustc '{path}' could not be started: {e.Message}");
        }
        catch (FormatException e)
        {
            return (null, $"`{path} -vV` printed something unexpected: {e.Message}");
        }
    }

    /// <summary>A path with a '/' is taken as it is; a bare name is looked up on PATH like a shell would.</summary>
    public static string? Resolve(string configured)
    {
        if (configured.Contains('/'))
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, configured);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
