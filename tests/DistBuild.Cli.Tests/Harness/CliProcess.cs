using System.Diagnostics;
using DistBuild.Testing;

namespace DistBuild.Cli.Tests.Harness;

/// <summary>Runs the built `distbuild` as a real process (`dotnet distbuild.dll …`), as a user or a script would.</summary>
public static class CliProcess
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    public static string AssemblyPath => RepositoryPaths.HostAssembly("DistBuild.Cli", "distbuild");

    /// <summary>Runs `distbuild --scheduler URL ARGS`, feeding <paramref name="input"/> on stdin (then closing it).</summary>
    public static Task<CliResult> RunAsync(string schedulerUrl, params string[] arguments) =>
        RunRawAsync(["--scheduler", schedulerUrl, .. arguments], input: null);

    public static async Task<CliResult> RunRawAsync(IReadOnlyList<string> arguments, string? input, IDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(AssemblyPath);
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment.Remove("DISTBUILD_SCHEDULER");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            startInfo.Environment[name] = value;

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
            await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(RunTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"distbuild {string.Join(' ', arguments)} did not exit within {RunTimeout}:\n{await stdout}\n{await stderr}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr, string.Join(' ', arguments));
    }
}

/// <summary>What a `distbuild` run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr, string CommandLine)
{
    /// <summary>Fails with everything the run printed unless it succeeded.</summary>
    public CliResult EnsureSuccess()
    {
        if (ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"distbuild {CommandLine} exited with {ExitCode}:\nstdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }

    public override string ToString() => $"distbuild {CommandLine} → {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
