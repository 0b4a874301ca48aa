using System.Diagnostics;
using System.Text;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Hosts;

namespace DistBuild.Tasks.Coordination;

/// <summary>
/// The coordinator process (DistBuild.Coordinator) of one DistBuildCargoBuild, which runs the build: the task hands
/// it a <see cref="BuildRequest"/> and relays the <see cref="BuildEvent"/>s it prints. Everything is synchronous and
/// on the caller's thread (MSBuild wants a task to log from the thread that runs Execute), so MSBuild's process
/// JIT-compiles almost nothing for a build. All three standard handles are redirected; closing its standard input
/// (disposing, or the end of the build process) cancels its build, so it never outlives `dotnet build`.
/// </summary>
public sealed class CoordinatorProcess : IDisposable
{
    /// <summary>How long a cancelled coordinator gets to stop its remote work before it is killed.</summary>
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(60);
    private const int LastWordsLines = 20;

    private readonly Process _process;
    private readonly Lock _input = new();
    // What it printed to standard error (nothing, unless it crashed), kept until the caller's thread can log it.
    private readonly List<string> _stderr = [];
    private Timer? _killAfterCancel;

    private CoordinatorProcess(Process process) => _process = process;

    /// <summary>Starts the coordinator on <paramref name="request"/>; throws <see cref="System.ComponentModel.Win32Exception"/> when it cannot start.</summary>
    public static CoordinatorProcess Start(HostCommand coordinator, BuildRequest request)
    {
        var startInfo = new ProcessStartInfo(coordinator.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in coordinator.Arguments([]))
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        var process = Process.Start(startInfo)!;
        var coordinatorProcess = new CoordinatorProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (coordinatorProcess._stderr)
                    coordinatorProcess._stderr.Add(line);
            }
        };
        process.BeginErrorReadLine();
        coordinatorProcess.Send(request.Encode());
        return coordinatorProcess;
    }

    /// <summary>The coordinator's process id, for diagnostics.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Hands each event to <paramref name="onEvent"/> and each other line (the dotnet host prints some of its errors
    /// to standard output) to <paramref name="onOtherLine"/> until the coordinator ends; returns its exit code.
    /// </summary>
    public int Relay(Action<BuildEvent> onEvent, Action<string> onOtherLine)
    {
        while (_process.StandardOutput.ReadLine() is { } line)
        {
            if (BuildEvent.Decode(line) is { } message)
                onEvent(message);
            else if (line.Length > 0)
                onOtherLine(line);
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>What it printed to standard error, for the log once it has ended.</summary>
    public IReadOnlyList<string> Stderr()
    {
        lock (_stderr)
            return _stderr.ToList();
    }

    /// <summary>
    /// What to report when the coordinator has ended with <paramref name="exitCode"/>; null when it reported everything
    /// itself. Exit code 1 is a failed build whose reasons were reported as errors; anything else, or a failure no
    /// error explains (the dotnet host exits with 1 when it cannot run the assembly), is the coordinator's own end,
    /// told with the last lines it printed that were not events.
    /// </summary>
    public static string? EndProblem(int exitCode, bool errorsReported, IEnumerable<string> otherLines)
    {
        if (exitCode == 0 || (exitCode == 1 && errorsReported))
            return null;
        var last = otherLines.TakeLast(LastWordsLines).ToList();
        return $"the DistBuild coordinator ended with exit code {exitCode}" + (last.Count == 0 ? "" : ":\n" + string.Join('\n', last));
    }

    /// <summary>Asks the coordinator to cancel the build (it stops cargo and the remote work); kills it if it does not end in time.</summary>
    public void Cancel()
    {
        Send(BuildRequest.CancelCommand);
        _killAfterCancel ??= new Timer(_ => Kill(), null, CancelGrace, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        lock (_input)
            CloseQuietly(_process.StandardInput);
        if (!_process.WaitForExit(5_000))
            Kill();
        _killAfterCancel?.Dispose();
        _process.Dispose();
    }

    private void Send(string line)
    {
        lock (_input)
        {
            try
            {
                _process.StandardInput.WriteLine(line);
                _process.StandardInput.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // It has exited: Relay returns its exit code.
            }
        }
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already exited.
        }
    }

    private static void CloseQuietly(StreamWriter input)
    {
        try
        {
            input.Close();
        }
        catch (IOException)
        {
            // The process is gone; nothing to tell it.
        }
    }
}
