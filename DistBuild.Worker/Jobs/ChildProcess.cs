using System.Diagnostics;

namespace DistBuild.Worker.Jobs;

/// <summary>
/// Runs a job's program with exactly the environment given, stdin closed and stdout/stderr captured as bytes.
/// Cancelling kills the whole process tree (rustc starts the linker, which starts ld), then throws.
/// </summary>
public static class ChildProcess
{
    public static async Task<ProcessOutcome> RunAsync(
        string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment.Clear();
        foreach (var (name, value) in environment)
            startInfo.Environment[name] = value;

        using var process = new Process { StartInfo = startInfo };
        process.Start();
        process.StandardInput.Close();
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, CancellationToken.None);
        var copyErr = process.StandardError.BaseStream.CopyToAsync(stderr, CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            // The pipes close once the tree is gone; wait so no process outlives the job directory.
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            throw;
        }
        await Task.WhenAll(copyOut, copyErr);
        return new ProcessOutcome(process.ExitCode, stdout.ToArray(), stderr.ToArray());
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited on its own meanwhile.
        }
    }
}

/// <summary>How a process ended and what it printed.</summary>
public sealed record ProcessOutcome(int ExitCode, byte[] Stdout, byte[] Stderr);
