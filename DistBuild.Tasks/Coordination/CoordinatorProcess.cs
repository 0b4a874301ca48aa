using System.Diagnostics;
using System.Text;
using DistBuild.Protocol.Coordination;
using DistBuild.Tasks.Hosts;

namespace DistBuild.Tasks.Coordination;

/// <summary>
/// The coordinator process (DistBuild.Coordinator) of one DistBuildCargoBuild, which serves cargo's rustc shims. It is
/// started before the scheduler is known, so its runtime starts up while the task finds the scheduler; then
/// <see cref="ConfigureAsync"/> hands it the settings and waits until it listens. Its log lines reach the task's log as
/// they arrive and its compiles are kept for the build report. All three standard handles are redirected, and closing
/// its standard input (<see cref="StopAsync"/>, or the end of the build process) ends it, so it never holds `dotnet build`.
/// </summary>
public sealed class CoordinatorProcess : IAsyncDisposable
{
    /// <summary>The coordinator waits up to 20 s for shims still connected, then up to 10 s for cancellations in flight.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);
    private const int LastWordsLines = 20;

    private readonly Process _process;
    private readonly ICompileLog _log;
    private readonly TaskCompletionSource<CoordinatorEvent> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<InvocationRecord> _invocations = [];
    // What it printed that is not an event, on either stream (the dotnet host prints some of its errors to stdout).
    private readonly Queue<string> _lastWords = new();
    private readonly Lock _input = new();
    private readonly Task _stdout;
    private readonly Task _stderr;
    private bool _stopped;

    private CoordinatorProcess(Process process, ICompileLog log)
    {
        _process = process;
        _log = log;
        // Standard error first: the events reader waits for it once the process has gone.
        _stderr = Task.Run(ReadStderrAsync);
        _stdout = Task.Run(ReadEventsAsync);
    }

    /// <summary>Starts the coordinator; throws <see cref="System.ComponentModel.Win32Exception"/> when it cannot start.</summary>
    public static CoordinatorProcess Start(HostCommand coordinator, ICompileLog log)
    {
        var startInfo = new ProcessStartInfo(coordinator.FileName, coordinator.Arguments([]))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        var process = Process.Start(startInfo)!;
        return new CoordinatorProcess(process, log);
    }

    /// <summary>The coordinator's process id, for diagnostics.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Sends the settings and waits for the coordinator's answer: <see cref="CoordinatorEventKinds.Ready"/> with the
    /// socket for the shims, or why it could not start (<see cref="CoordinatorEventKinds.SchedulerUnreachable"/>,
    /// <see cref="CoordinatorEventKinds.SchedulerNotReapi"/>). Throws <see cref="CoordinatorFailedException"/> when it exits instead.
    /// </summary>
    public async Task<CoordinatorEvent> ConfigureAsync(CoordinatorSettings settings, CancellationToken cancellationToken)
    {
        if (!Send(CoordinatorMessages.Encode(settings)))
            await _stdout.ConfigureAwait(false);
        return await _started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the coordinator to cancel its remote work in flight (the build was cancelled).</summary>
    public void Cancel() => Send(CoordinatorMessages.CancelCommand);

    /// <summary>
    /// Ends the coordinator once the compiles in flight are answered and returns this build's compiles. Throws
    /// <see cref="CoordinatorFailedException"/> when it had crashed or does not end in time.
    /// </summary>
    public async Task<IReadOnlyList<InvocationRecord>> StopAsync()
    {
        lock (_input)
        {
            _stopped = true;
            CloseQuietly(_process.StandardInput);
        }
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new CoordinatorFailedException($"the DistBuild coordinator did not stop within {StopTimeout.TotalSeconds:0} s and was killed");
        }
        await Task.WhenAll(_stdout, _stderr).ConfigureAwait(false);
        if (_process.ExitCode != 0 && _started.Task is { IsCompletedSuccessfully: true, Result.Kind: CoordinatorEventKinds.Ready })
            throw new CoordinatorFailedException($"the DistBuild coordinator ended with exit code {_process.ExitCode}{LastWords()}");
        lock (_invocations)
            return _invocations.ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            lock (_input)
                CloseQuietly(_process.StandardInput);
            if (!await ExitsWithinAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
                Kill();
        }
        await Task.WhenAll(_stdout, _stderr).ConfigureAwait(false);
        _process.Dispose();
    }

    private bool Send(string line)
    {
        lock (_input)
        {
            if (_stopped)
                return false;
            try
            {
                _process.StandardInput.WriteLine(line);
                _process.StandardInput.Flush();
                return true;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // It has exited: ReadEventsAsync reports why.
                return false;
            }
        }
    }

    private async Task ReadEventsAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            switch (CoordinatorMessages.DecodeEvent(line))
            {
                case { Kind: CoordinatorEventKinds.Ready or CoordinatorEventKinds.SchedulerUnreachable or CoordinatorEventKinds.SchedulerNotReapi } started:
                    _started.TrySetResult(started);
                    break;
                case { Kind: CoordinatorEventKinds.Progress, Message: { } message }:
                    _log.Progress(message);
                    break;
                case { Kind: CoordinatorEventKinds.Warning, Message: { } message, Code: { } code }:
                    _log.Warning(code, message);
                    break;
                case { Kind: CoordinatorEventKinds.Compiled, Invocation: { } invocation }:
                    lock (_invocations)
                        _invocations.Add(invocation);
                    break;
                case { Message: { } message }:
                    _log.Detail(message);
                    break;
                case null:
                    Remember(line);
                    break;
            }
        }
        // Standard output closes when the process ends: whatever the task still waits for will not come.
        await _stderr.ConfigureAwait(false);
        await ExitsWithinAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        var exit = _process.HasExited ? $" with exit code {_process.ExitCode}" : "";
        _started.TrySetException(new CoordinatorFailedException($"the DistBuild coordinator exited while starting{exit}{LastWords()}"));
    }

    private async Task ReadStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            Remember(line);
    }

    private void Remember(string line)
    {
        _log.Detail($"distbuild-coordinator: {line}");
        lock (_lastWords)
        {
            _lastWords.Enqueue(line);
            if (_lastWords.Count > LastWordsLines)
                _lastWords.Dequeue();
        }
    }

    private string LastWords()
    {
        lock (_lastWords)
            return _lastWords.Count == 0 ? "" : ":\n" + string.Join('\n', _lastWords);
    }

    private async Task<bool> ExitsWithinAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
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
