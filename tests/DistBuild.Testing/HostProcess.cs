using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace DistBuild.Testing;

/// <summary>
/// A DistBuild host (scheduler or worker) running as a real child process. Its output is captured, and the
/// URL it listens on is read from ASP.NET Core's "Now listening on:" line, so ports are chosen at run time.
/// </summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    /// <summary>
    /// Generous: `dotnet test` runs the test assemblies side by side, and while one packs the SDK (three NativeAOT
    /// links) a host started on this 2-core machine has been seen to take minutes to print a line.
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(Process process) => _process = process;

    public string Url { get; private set; } = "";
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the host printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>
    /// Starts `dotnet ASSEMBLY ARGS` (or, for a path that is not a .dll, a published executable such as the
    /// package's NativeAOT host) and waits until it listens; throws with its output if it does not.
    /// </summary>
    public static async Task<HostProcess> StartAsync(string assemblyPath, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var isAssembly = assemblyPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var startInfo = new ProcessStartInfo(isAssembly ? "dotnet" : assemblyPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (isAssembly)
            startInfo.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            startInfo.Environment[name] = value;

        var host = new HostProcess(new Process { StartInfo = startInfo, EnableRaisingEvents = true });
        host._process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        host._process.Exited += (_, _) => host._listening.TrySetException(new InvalidOperationException("the host exited before it listened"));
        host._process.Start();
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        try
        {
            host.Url = await host._listening.Task.WaitAsync(StartTimeout);
        }
        catch (Exception e)
        {
            // The Exited event can fire before the last lines are read; waiting for exit also drains the output,
            // so the message below carries the host's own explanation.
            if (host._process.HasExited)
                await host._process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            await host.DisposeAsync();
            throw new InvalidOperationException($"{Path.GetFileName(assemblyPath)} did not start: {e.Message}\n{host.Output}", e);
        }
        return host;
    }

    /// <summary>Waits until the host prints a line matching the pattern, or fails with its output.</summary>
    public Task WaitForOutputAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        return Poll.UntilAsync(() => regex.IsMatch(Output), timeout, () => $"no output matching '{pattern}' within {timeout}:\n{Output}");
    }

    /// <summary>Sends a POSIX signal (SIGKILL, SIGSTOP, SIGCONT…) to the host process.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString()]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    public async Task WaitForExitAsync(TimeSpan timeout) => await _process.WaitForExitAsync().WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Signal("CONT");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already gone.
        }
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
        var match = ListeningPattern().Match(line);
        if (match.Success)
            _listening.TrySetResult(match.Groups[1].Value.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
    }

    [GeneratedRegex(@"Now listening on: (https?://\S+)")]
    private static partial Regex ListeningPattern();
}
