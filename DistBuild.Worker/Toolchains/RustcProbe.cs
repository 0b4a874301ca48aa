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
        try
        {
            // Both queries at once: through a rustup proxy each costs its toolchain resolution, and a worker's start
            // is on the path of an embedded default's first build.
            var binary = ToolchainBinaryAsync(path, cancellationToken);
            var (exitCode, stdout, stderr) = await RunAsync(path, ["-vV"], cancellationToken);
            if (exitCode != 0)
                return (null, $"`{path} -vV` exited with code {exitCode}: {stderr.Trim()}");
            var toolchain = RustToolchain.Parse(stdout);
            return (new WorkerToolchain(await binary, toolchain), null);
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

    /// <summary>
    /// The rustc binary inside the toolchain's sysroot when <paramref name="path"/> is a rustup proxy, as cargo runs it
    /// under rustup: jobs then skip the proxy's toolchain resolution (~30 ms each), and a rust-toolchain.toml among a
    /// job's inputs cannot switch it to another toolchain than the one the worker advertised. Any other rustc (a
    /// wrapper script, a distribution's rustc) is run as configured.
    /// </summary>
    private static async Task<string> ToolchainBinaryAsync(string path, CancellationToken cancellationToken)
    {
        if (!IsRustupProxy(path))
            return path;
        var (exitCode, stdout, _) = await RunAsync(path, ["--print", "sysroot"], cancellationToken);
        var binary = exitCode == 0 ? Path.Combine(stdout.Trim(), "bin", "rustc") : "";
        return File.Exists(binary) ? binary : path;
    }

    /// <summary>rustup installs its proxies as symbolic or hard links to the rustup binary beside them.</summary>
    internal static bool IsRustupProxy(string path)
    {
        var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        if (Path.GetFileNameWithoutExtension(target) == "rustup")
            return true;
        var rustup = Path.Combine(Path.GetDirectoryName(path)!, "rustup");
        return File.Exists(rustup) && new FileInfo(rustup).Length == new FileInfo(path).Length;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string path, string[] arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(path, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
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
