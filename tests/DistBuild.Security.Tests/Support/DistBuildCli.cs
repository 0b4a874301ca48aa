using System.Diagnostics;
using DistBuild.Testing;

namespace DistBuild.Security.Tests.Support;

/// <summary>Runs the built `distbuild` as a process, with DISTBUILD_TOKEN and DISTBUILD_CA_CERT only when a test sets them.</summary>
public static class DistBuildCli
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    public static async Task<CliRun> RunAsync(IReadOnlyList<string> arguments, IDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(RepositoryPaths.HostAssembly("DistBuild.Cli", "distbuild"));
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var name in new[] { "DISTBUILD_SCHEDULER", "DISTBUILD_TOKEN", "DISTBUILD_CA_CERT" })
            startInfo.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            startInfo.Environment[name] = value;

        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(RunTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"distbuild {string.Join(' ', arguments)} did not exit within {RunTimeout}:\n{await stdout}\n{await stderr}");
        }
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>What one `distbuild` run printed and returned.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
