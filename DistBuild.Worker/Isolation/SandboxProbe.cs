using System.ComponentModel;
using System.Diagnostics;
using DistBuild.Worker.Jobs;
using DistBuild.Worker.Toolchains;

namespace DistBuild.Worker.Isolation;

/// <summary>
/// Chooses the job isolation at start: for Bubblewrap (and Auto) it runs `true` inside a sandbox exactly like a
/// job's, because bwrap can be installed and still unusable (no user namespaces in a container, a seccomp policy).
/// </summary>
public static class SandboxProbe
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    public const string InstallHint =
        "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap) and allow unprivileged user namespaces, " +
        "or run jobs unsandboxed with --Worker:Sandbox=None";

    /// <summary>The isolation to use, or null with the reason in Error. Warning is set when Auto fell back to none.</summary>
    public static async Task<(JobIsolation? Isolation, string? Error, string? Warning)> ChooseAsync(SandboxMode mode, string bwrap, string workDirectory)
    {
        if (mode == SandboxMode.None)
            return (JobIsolation.Unconfined, null, null);
        var (isolation, problem) = await TryBubblewrapAsync(bwrap, workDirectory);
        if (isolation is not null)
            return (isolation, null, null);
        if (mode == SandboxMode.Auto)
            return (JobIsolation.Unconfined, null, $"bubblewrap is not usable ({problem}); jobs run unsandboxed (Worker:Sandbox=Auto)");
        return (null, $"jobs must run in a bubblewrap sandbox (Worker:Sandbox=Bubblewrap), but {problem}; {InstallHint}", null);
    }

    private static async Task<(BubblewrapIsolation? Isolation, string? Problem)> TryBubblewrapAsync(string bwrap, string workDirectory)
    {
        var path = RustcProbe.Resolve(bwrap);
        if (path is null)
            return (null, $"'{bwrap}' was not found on PATH");
        var trueProgram = RustcProbe.Resolve("true");
        if (trueProgram is null)
            return (null, "'true' was not found on PATH to test the sandbox with");
        var probeDirectory = Path.Combine(workDirectory, "jobs", "sandbox-probe");
        Directory.CreateDirectory(probeDirectory);
        // The sandbox binds the jobserver's folder, which the worker makes (again) once the probe has passed.
        Directory.CreateDirectory(RustcJobserver.DirectoryIn(workDirectory));
        try
        {
            var isolation = new BubblewrapIsolation(path, workDirectory);
            var (program, arguments) = isolation.Wrap(trueProgram, [], probeDirectory, probeDirectory);
            var startInfo = new ProcessStartInfo(program, arguments)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(startInfo)!;
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(ProbeTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (null, $"'{path}' did not finish a trial run within {ProbeTimeout.TotalSeconds:0} s");
            }
            await stdout;
            var error = (await stderr).Trim();
            return process.ExitCode == 0
                ? (isolation, null)
                : (null, $"a trial run of '{path}' failed with exit code {process.ExitCode}: {error}");
        }
        catch (Win32Exception e)
        {
            return (null, $"'{path}' could not be started: {e.Message}");
        }
        finally
        {
            try
            {
                Directory.Delete(probeDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the next start; harmless.
            }
        }
    }
}
