using System.Diagnostics;
using System.Text;

namespace DistBuild.Bench.Running;

/// <summary>Runs a command to completion, timing it and keeping its output for the error message if it fails.</summary>
public static class CommandRunner
{
    public static async Task<CommandResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
        {
            if (value is null)
                startInfo.Environment.Remove(name);
            else
                startInfo.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{Describe(fileName, startInfo.ArgumentList)}` did not finish within {timeout}:\n{Tail(output)}");
        }
        stopwatch.Stop();
        // WaitForExitAsync returns once the process exits and its output is drained.
        return new CommandResult(process.ExitCode, stopwatch.Elapsed, Snapshot(output));
    }

    /// <summary>Like <see cref="RunAsync"/>, but a non-zero exit code throws with the command's last output lines.</summary>
    public static async Task<CommandResult> RunCheckedAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var list = arguments.ToList();
        var result = await RunAsync(fileName, list, workingDirectory, environment, timeout, cancellationToken);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"`{Describe(fileName, list)}` in {workingDirectory} exited with {result.ExitCode}:\n{Tail(result.Output)}");
        return result;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
            return;
        lock (output)
            output.AppendLine(line);
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
            return output.ToString();
    }

    private static string Tail(StringBuilder output) => Tail(Snapshot(output));

    private static string Tail(string text)
    {
        var lines = text.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 40)));
    }

    private static string Describe(string fileName, IEnumerable<string> arguments) => string.Join(' ', arguments.Prepend(fileName));
}

/// <summary>How a command ended, how long it took and what it printed.</summary>
public sealed record CommandResult(int ExitCode, TimeSpan Elapsed, string Output);
