using System.Diagnostics;
using System.Text;

namespace DistBuild.Worker.Jobs;

/// <summary>
/// Runs a job's program with exactly the environment given, stdin closed and stdout/stderr captured as bytes.
/// Cancelling kills the whole process tree (rustc starts the linker, which starts ld), then throws.
/// </summary>
public static class ChildProcess
{
    /// <param name="onStderrLine">Sees each line of stderr (without its newline) as soon as the program prints it.</param>
    public static async Task<ProcessOutcome> RunAsync(
        string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken,
        Action<string>? onStderrLine = null)
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
        var copyErr = onStderrLine is null
            ? process.StandardError.BaseStream.CopyToAsync(stderr, CancellationToken.None)
            : CopyLinesAsync(process.StandardError.BaseStream, stderr, onStderrLine);
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

    /// <summary>Copies like CopyToAsync, and hands each complete line to <paramref name="onLine"/> as it arrives.</summary>
    private static async Task CopyLinesAsync(Stream source, MemoryStream destination, Action<string> onLine)
    {
        var buffer = new byte[16 << 10];
        var lineStart = 0L;
        int read;
        while ((read = await source.ReadAsync(buffer)) > 0)
        {
            var scanFrom = destination.Length;
            destination.Write(buffer, 0, read);
            var written = destination.GetBuffer();
            for (var i = scanFrom; i < destination.Length; i++)
            {
                if (written[i] != (byte)'\n')
                    continue;
                onLine(Encoding.UTF8.GetString(written, (int)lineStart, (int)(i - lineStart)).TrimEnd('\r'));
                lineStart = i + 1;
            }
        }
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
