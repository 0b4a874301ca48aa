using System.Diagnostics;

namespace DistBuild.Testing;

/// <summary>The shim as just built, and cargo/rustc from the machine's Rust toolchain.</summary>
public static class RustTools
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The shim as the solution built it (DistBuild.RustcShim, with cargo); DISTBUILD_TEST_SHIM points the tests at another one.</summary>
    public static string Shim { get; } = Environment.GetEnvironmentVariable("DISTBUILD_TEST_SHIM") is { Length: > 0 } shim
        ? shim
        : Path.Combine(RepositoryPaths.Root, "DistBuild.RustcShim", "bin", RepositoryPaths.Configuration, "net10.0", "distbuild-rustc-shim");

    public static string CargoBin { get; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cargo", "bin");

    public static string Rustc { get; } = File.Exists(Path.Combine(CargoBin, "rustc")) ? Path.Combine(CargoBin, "rustc") : "rustc";

    public static string Cargo { get; } = File.Exists(Path.Combine(CargoBin, "cargo")) ? Path.Combine(CargoBin, "cargo") : "cargo";

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>Runs a program to completion with extra environment variables (null removes one); fails the test if it hangs.</summary>
    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string?>? environment = null, string? stdin = null)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment["PATH"] = CargoBin + ":" + Environment.GetEnvironmentVariable("PATH");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                startInfo.Environment.Remove(name);
            else
                startInfo.Environment[name] = value;
        }
        using var process = Process.Start(startInfo)!;
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ProcessTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {ProcessTimeout}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
