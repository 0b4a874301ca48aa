using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using DistBuild.Protocol.Cas;

namespace DistBuild.Coordinator.Embedded;

/// <summary>
/// The embedded default: a scheduler and one worker on this machine, started in the background by the first build
/// that needs them and reused by later ones. State lives in DISTBUILD_HOME: embedded.json (URL and pids), a lock
/// file so concurrent builds start only one pair, the scheduler's CAS and action cache, and the hosts' logs. Both
/// hosts end by themselves: the scheduler after an idle period, the worker when its scheduler is gone.
/// </summary>
public sealed partial class EmbeddedCluster(EmbeddedClusterOptions options, Action<string> detail)
{
    private string StatePath => Path.Combine(options.Home, "embedded.json");
    private string LockPath => Path.Combine(options.Home, "embedded.lock");
    private string LogDirectory => Path.Combine(options.Home, "logs");
    private readonly TaskCompletionSource _recorded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once embedded.json names the pair that <see cref="EnsureRunningAsync"/> reuses or has just started,
    /// or that start has ended: from then on the build may exit without leaving hosts the next build cannot find,
    /// although they may still be starting. A build with nothing to compile waits for this, not for them.
    /// </summary>
    public Task Recorded => _recorded.Task;

    /// <summary>Returns the URL of a running embedded scheduler with a worker, starting them if needed.</summary>
    public async Task<string> EnsureRunningAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await StartOrReuseAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _recorded.TrySetResult();
        }
    }

    private async Task<string> StartOrReuseAsync(CancellationToken cancellationToken)
    {
        foreach (var host in new[] { options.Scheduler, options.Worker })
        {
            if (!File.Exists(host.Program))
                throw new EmbeddedStartException($"{host.Program} does not exist; the DistBuild.Sdk package is incomplete");
        }
        Directory.CreateDirectory(options.Home);
        Directory.CreateDirectory(LogDirectory);
        using var exclusive = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);

        var state = EmbeddedState.Read(StatePath);
        if (state is not null
            && state.SchedulerProgram == options.Scheduler.Program
            && DetachedProcess.IsRunning(state.SchedulerPid, "DistBuild.Scheduler")
            && (await AcceptsConnectionsAsync(state.Url, cancellationToken).ConfigureAwait(false)
                || await StartedListeningAsync(state, cancellationToken).ConfigureAwait(false)))
        {
            if (DetachedProcess.IsRunning(state.WorkerPid, "DistBuild.Worker"))
            {
                detail($"DistBuild: reusing the embedded scheduler at {state.Url} (pid {state.SchedulerPid})");
                return state.Url;
            }
            detail($"DistBuild: the embedded worker is gone; starting a new one for {state.Url}");
            var workerPid = StartWorker(state.Url);
            // Recorded before it registers, for the same reason as a new pair (StartBothAsync).
            (state with { WorkerPid = workerPid }).Write(StatePath);
            _recorded.TrySetResult();
            await WaitForWorkerAsync(workerPid, cancellationToken).ConfigureAwait(false);
            return state.Url;
        }

        if (state is not null)
            StopRecordedPair(state);
        var (url, schedulerPid, worker) = await StartBothAsync(cancellationToken).ConfigureAwait(false);
        detail($"DistBuild: started the embedded scheduler at {url} (pid {schedulerPid}) and a worker (pid {worker}); state in {options.Home}");
        return url;
    }

    /// <summary>
    /// Stops the pair embedded.json records before a new one starts: a scheduler of another SDK version (an upgrade
    /// installs it elsewhere), or one that takes no connections, would otherwise keep running on the same data
    /// directory as the new one until its idle period ends, both writing one CAS and action cache.
    /// </summary>
    private void StopRecordedPair(EmbeddedState state)
    {
        var scheduler = DetachedProcess.Kill(state.SchedulerPid, "DistBuild.Scheduler");
        var worker = DetachedProcess.Kill(state.WorkerPid, "DistBuild.Worker");
        if (scheduler || worker)
            detail($"DistBuild: stopped the embedded scheduler (pid {state.SchedulerPid}, {state.SchedulerProgram}) and worker recorded in {StatePath}, so that no two schedulers share {options.SchedulerDataDirectory}");
    }

    /// <summary>
    /// Starts the scheduler and the worker side by side, so the worker's runtime start and probes overlap the
    /// scheduler's (about 0.5 s of a first build): the scheduler gets a loopback port chosen here, so the worker knows
    /// where to register before the scheduler listens (it retries until then). Should another process take that port
    /// in the meantime, the scheduler cannot bind it; the pair is then started one after the other, the scheduler on
    /// a port it picks itself.
    /// </summary>
    private async Task<(string Url, int SchedulerPid, int WorkerPid)> StartBothAsync(CancellationToken cancellationToken)
    {
        // The worker checks that the scheduler's CAS directory exists, possibly before the scheduler has made it.
        Directory.CreateDirectory(LocalCasDirectory.InDataDirectory(options.SchedulerDataDirectory));
        var chosen = $"http://127.0.0.1:{options.ChooseSchedulerPort()}";
        var schedulerPid = StartScheduler(chosen);
        var workerPid = StartWorker(chosen);
        // Recorded before they are ready: a build that ends now (it had nothing to compile) leaves a pair the next
        // build finds and reuses, rather than one it cannot see beside a second it would start on the same CAS.
        Record(chosen, schedulerPid, workerPid);
        string url;
        try
        {
            url = await WaitForSchedulerAsync(schedulerPid, cancellationToken).ConfigureAwait(false);
        }
        catch (EmbeddedStartException)
        {
            // The worker would wait for a scheduler that is not coming.
            DetachedProcess.Kill(workerPid, "DistBuild.Worker");
            if (!ReadShared(SchedulerLog).Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                throw;
            detail($"DistBuild: another process took {chosen} while the embedded scheduler started; starting it on a port it picks itself");
            schedulerPid = StartScheduler("http://127.0.0.1:0");
            url = await WaitForSchedulerAsync(schedulerPid, cancellationToken).ConfigureAwait(false);
            workerPid = StartWorker(url);
            Record(url, schedulerPid, workerPid);
        }
        try
        {
            await WaitForWorkerAsync(workerPid, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without its worker the scheduler would idle on alone, taking jobs nothing runs. A cancelled build leaves
            // the recorded pair starting, for the next build to find.
            DetachedProcess.Kill(schedulerPid, "DistBuild.Scheduler");
            DetachedProcess.Kill(workerPid, "DistBuild.Worker");
            throw;
        }
        return (url, schedulerPid, workerPid);
    }

    /// <summary>Writes the pair to embedded.json, with the time it started (a pair still starting is waited for within its start timeout).</summary>
    private void Record(string url, int schedulerPid, int workerPid)
    {
        new EmbeddedState(url, schedulerPid, workerPid, options.Scheduler.Program, DateTimeOffset.UtcNow).Write(StatePath);
        _recorded.TrySetResult();
    }

    private string SchedulerLog => Path.Combine(LogDirectory, "scheduler.log");

    private string WorkerLog => Path.Combine(LogDirectory, "worker.log");

    private int StartScheduler(string url) =>
        DetachedProcess.Start(options.Scheduler.FileName, options.Scheduler.Arguments(
        [
            "--urls", url,
            $"--Scheduler:DataDirectory={options.SchedulerDataDirectory}",
            $"--Scheduler:IdleShutdown={options.IdleShutdown:c}",
            $"--Scheduler:InstanceName={options.InstanceName}",
        ]), SchedulerLog, HostEnvironment());

    /// <param name="started">When the scheduler was started; it gets the start timeout from then (default: now).</param>
    private async Task<string> WaitForSchedulerAsync(int pid, CancellationToken cancellationToken, DateTimeOffset? started = null) =>
        (await WaitForLogAsync(SchedulerLog, pid, "DistBuild.Scheduler", ListeningLine(), cancellationToken, started).ConfigureAwait(false)).Groups[1].Value;

    private Task WaitForWorkerAsync(int pid, CancellationToken cancellationToken) =>
        WaitForLogAsync(WorkerLog, pid, "DistBuild.Worker", RegisteredLine(), cancellationToken);

    private int StartWorker(string schedulerUrl) =>
        DetachedProcess.Start(options.Worker.FileName, options.Worker.Arguments(
        [
            "--scheduler", schedulerUrl,
            "--id", $"embedded-{Environment.MachineName.ToLowerInvariant()}",
            "--port", "0",
            $"--Worker:WorkDirectory={Path.Combine(options.Home, "worker")}",
            "--Worker:ExitWhenSchedulerGone=true",
            // Same machine, same file system: blobs move between the worker and the scheduler's CAS on disk, not
            // through gRPC.
            $"--Worker:SchedulerCasDirectory={LocalCasDirectory.InDataDirectory(options.SchedulerDataDirectory)}",
            // Sandboxed where bubblewrap works; a developer machine without it still builds, and the log says so.
            "--Worker:Sandbox=Auto",
        ]), WorkerLog, HostEnvironment());

    /// <summary>Waits until the host's log shows the line; fails with the log's tail if the host exits or takes too long.</summary>
    private async Task<Match> WaitForLogAsync(string log, int pid, string marker, Regex line, CancellationToken cancellationToken, DateTimeOffset? started = null)
    {
        var deadline = (started ?? DateTimeOffset.UtcNow) + options.StartTimeout;
        while (true)
        {
            var text = ReadShared(log);
            var match = line.Match(text);
            if (match.Success)
                return match;
            // Read again: what it wrote just before it exited is its reason.
            if (!DetachedProcess.IsRunning(pid, marker))
                throw new EmbeddedStartException($"{marker} exited while starting; its log ({log}) ends with:\n{Tail(ReadShared(log))}");
            if (DateTimeOffset.UtcNow > deadline)
                throw new EmbeddedStartException($"{marker} did not start within {options.StartTimeout.TotalSeconds:0} s; its log ({log}) ends with:\n{Tail(text)}");
            // Reading a small log is cheap, and each poll period adds half itself on average to a first build's first
            // compile, twice (the scheduler's line, then the worker's): 25 ms cost about 25 ms.
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether the recorded scheduler takes connections on its port. A TCP connection rather than a gRPC call, so a
    /// reusing build does not load the gRPC client stack (HttpClient, HTTP/2, protobuf) into MSBuild's process, whose
    /// runtime is not ours to tune, for one call (measured: 0.03 s per warm build). The scheduler counts a new
    /// connection as activity, so its idle shutdown waits for the build that follows. Its process was checked already.
    /// </summary>
    private async Task<bool> AcceptsConnectionsAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IPAddress.TryParse(uri.Host, out var address))
        {
            detail($"DistBuild: the recorded embedded scheduler URL '{url}' does not name an IP address and port; starting a new one");
            return false;
        }
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, uri.Port), timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException e)
        {
            detail($"DistBuild: the embedded scheduler at {url} takes no connections ({e.SocketErrorCode})");
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            detail($"DistBuild: the embedded scheduler at {url} did not take a connection within 5 s; starting a new one");
            return false;
        }
    }

    /// <summary>
    /// Whether a scheduler that took no connection was only still starting: an earlier build with nothing to compile
    /// records a new pair and ends without waiting for it (<see cref="Recorded"/>), and the next build waits for that
    /// pair's scheduler to listen where recorded instead of replacing the pair.
    /// </summary>
    private async Task<bool> StartedListeningAsync(EmbeddedState state, CancellationToken cancellationToken)
    {
        if (DateTimeOffset.UtcNow - state.Started > options.StartTimeout)
            return false;
        try
        {
            var url = await WaitForSchedulerAsync(state.SchedulerPid, cancellationToken, state.Started).ConfigureAwait(false);
            return url == state.Url;
        }
        catch (EmbeddedStartException e)
        {
            detail($"DistBuild: the embedded scheduler recorded at {state.Url} did not start ({e.Message.Split('\n')[0]})");
            return false;
        }
    }

    /// <summary>Takes the lock file (an exclusive flock on Unix); another build holding it is starting the hosts.</summary>
    private async Task<FileStream> AcquireLockAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + options.StartTimeout + options.StartTimeout;
        while (true)
        {
            try
            {
                return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The build's environment less what belongs to this build only (the coordinator socket, MSBuild's node settings).</summary>
    private static Dictionary<string, string?> HostEnvironment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["DISTBUILD_COORDINATOR"] = null,
            // The embedded pair listens on loopback without tokens or TLS; a token meant for a remote scheduler would
            // make the worker demand it from its embedded scheduler, which has none to give.
            ["DISTBUILD_TOKEN"] = null,
            ["DISTBUILD_CA_CERT"] = null,
            ["DOTNET_NOLOGO"] = "1",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled",
            // The embedded hosts share the developer's cores with rustc, so they are tuned for little CPU rather than
            // throughput: workstation GC without a background GC thread (ASP.NET Core's default is server GC, a heap
            // and a GC thread per core), and, for hosts packed as ReadyToRun assemblies (no NativeAOT), no tiered
            // re-compilation of their ReadyToRun code, which otherwise re-JITs every hot method during the first
            // build. Measured on the generated bench workspace (31 crates), scheduler + worker CPU in a cold build:
            // 17.7 s → 11.0 s with these, → 8.2 s with ReadyToRun as well (NativeAOT: bench/README.md, round 5).
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_gcConcurrent"] = "0",
            ["DOTNET_TieredCompilation"] = "0",
            // Idle thread-pool threads spin before they sleep, which buys latency with CPU the compiles need: 10 % of the
            // scheduler's and 5 % of the worker's CPU samples in a cold build of the realistic sample were that spinning.
            ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
        };
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("MSBuild", StringComparison.Ordinal))
                environment[name] = null;
        }
        return environment;
    }

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string Tail(string text)
    {
        var lines = text.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 15)));
    }

    [GeneratedRegex(@"Now listening on: (https?://[^\s]+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex("Registered with the scheduler")]
    private static partial Regex RegisteredLine();
}
