using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Rustc;
using Grpc.Core;
using Grpc.Net.Client;

namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// Serves the rustc shims of one cargo run: each rustc call arrives over a Unix domain socket, runs as a REAPI
/// action on the scheduler (or locally when it is a probe, or as a fallback), and its result goes back to the shim.
/// </summary>
public sealed class RustcCoordinator : IAsyncDisposable
{
    private static readonly TimeSpan CapabilitiesDeadline = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RequestReadTimeout = TimeSpan.FromSeconds(30);

    private readonly CoordinatorSettings _settings;
    private readonly Task<string>? _schedulerStarting;
    private readonly ICompileLog _log;
    private readonly CancellationTokenSource _cancellation = new();
    private volatile bool _cancelRequested;
    private readonly CancellationTokenSource _stopListening = new();
    private readonly FileDigestCache _digests = new();
    private readonly ProbeCache _probes;
    private readonly ToolchainCache _toolchains;
    private readonly List<InvocationRecord> _invocations = [];
    private readonly List<Task> _connections = [];
    private readonly Lock _connecting = new();
    private Socket? _listener;
    private Task? _acceptLoop;
    private GrpcChannel? _channel;
    private RemoteCompiler? _remote;
    private bool _connectOnFirstCompile;
    private string _schedulerUrl;
    private Task _cancelOperations = Task.CompletedTask;
    private Task _warmUp = Task.CompletedTask;

    /// <param name="settings">Where and how compiles go.</param>
    /// <param name="log">Where warnings and progress go.</param>
    /// <param name="schedulerStarting">
    /// The embedded scheduler while it starts, whose URL replaces <see cref="CoordinatorSettings.SchedulerUrl"/>: shims
    /// are served at once, so cargo starts (and runs its probes) alongside it, and compiles wait for it. When it fails
    /// to start, compiles run locally with local fallback, else they wait for the cancel that stops cargo; reporting
    /// that failure is the caller's.
    /// </param>
    public RustcCoordinator(CoordinatorSettings settings, ICompileLog log, Task<string>? schedulerStarting = null)
    {
        _settings = settings;
        _log = log;
        _schedulerStarting = schedulerStarting;
        _schedulerUrl = settings.SchedulerUrl;
        _probes = new ProbeCache(settings.ProbeCacheDirectory);
        _toolchains = new ToolchainCache(_probes);
        // Unix socket paths are limited to about 100 bytes, so the socket lives directly in the temp directory.
        SocketPath = Path.Combine(Path.GetTempPath(), $"distbuild-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}.sock");
    }

    /// <summary>Set DISTBUILD_COORDINATOR to this for cargo, so its shims find the coordinator.</summary>
    public string SocketPath { get; }

    /// <summary>The compiles handled so far (a snapshot; safe to read while the build runs).</summary>
    public IReadOnlyList<InvocationRecord> Invocations
    {
        get
        {
            lock (_invocations)
                return _invocations.ToList();
        }
    }

    /// <summary>
    /// Checks that the scheduler answers (GetCapabilities with a short deadline) and starts listening for shims.
    /// Throws <see cref="SchedulerUnreachableException"/> when it does not answer and local fallback is off.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await CheckSchedulerAsync(cancellationToken) is { } problem)
        {
            if (!_settings.LocalFallback && problem.StartsWith(NotReapiPrefix, StringComparison.Ordinal))
                throw new SchedulerNotReapiException(problem[NotReapiPrefix.Length..]);
            if (!_settings.LocalFallback)
                throw new SchedulerUnreachableException(
                    $"The DistBuild scheduler at {_schedulerUrl} is not reachable ({problem}). Start it, correct the scheduler URL, or allow local compiles with local fallback.");
            _log.Warning("DISTB0101", $"The DistBuild scheduler at {_schedulerUrl} is not reachable ({problem}); every crate compiles locally.");
        }

        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        File.Delete(SocketPath);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(SocketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(256);
        _acceptLoop = AcceptLoopAsync(_listener);
        _warmUp = Task.Run(() => WarmUpAsync(_schedulerStarting));
        _log.Detail(_schedulerStarting is null
            ? $"Coordinator listening on {SocketPath} for scheduler {_schedulerUrl}"
            : $"Coordinator listening on {SocketPath}; compiles wait for the embedded scheduler to start");
    }

    /// <summary>
    /// Cancels the remote work in flight (Ctrl+C): the server is asked to cancel every operation in flight
    /// (CancelOperation, so their jobs stop on the workers), and the Execute calls end.
    /// </summary>
    public void Cancel()
    {
        // Marked before the CancelOperation calls go out: one of them can end an execution (CANCELLED) before the token
        // below is cancelled, and that failure is this cancel, not the scheduler's.
        _cancelRequested = true;
        if (_remote is { } remote)
            _cancelOperations = remote.CancelInFlightAsync();
        _cancellation.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        _stopListening.Cancel();
        // A no-op build ends before the warm-up's call; the channel it may still be making must not outlive the build.
        await _warmUp.ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null)
            await _acceptLoop.ConfigureAwait(false);
        Task[] connections;
        lock (_connections)
            connections = _connections.ToArray();
        // ServeAsync never throws, so these waits only end by completion or timeout.
        if (!await CompletesWithinAsync(Task.WhenAll(connections), TimeSpan.FromSeconds(10)).ConfigureAwait(false))
        {
            // Shims still waiting belong to a cargo that is exiting; do not let them hold the build.
            _cancellation.Cancel();
            await CompletesWithinAsync(Task.WhenAll(connections), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        File.Delete(SocketPath);
        // The cancellations are best effort and bounded by their own deadline; the channel must outlive them.
        await CompletesWithinAsync(_cancelOperations, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _channel?.Dispose();
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Null when the scheduler answered (or is the embedded one, still starting), else what went wrong.</summary>
    private async Task<string?> CheckSchedulerAsync(CancellationToken cancellationToken)
    {
        if (_schedulerStarting is not null)
        {
            // Its start waits until it answers, so there is nothing to check; and nothing to connect yet: a build with
            // nothing to compile (a no-op) makes no channel.
            _connectOnFirstCompile = true;
            return null;
        }
        try
        {
            Connect(_schedulerUrl);
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
        try
        {
            var capabilities = await new Capabilities.CapabilitiesClient(_channel).GetCapabilitiesAsync(
                new GetCapabilitiesRequest { InstanceName = _settings.InstanceName },
                deadline: DateTime.UtcNow + CapabilitiesDeadline,
                cancellationToken: cancellationToken);
            if (capabilities.ExecutionCapabilities is { ExecEnabled: false })
                return "it does not offer remote execution";
            return null;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            _remote = null;
            if (AnsweredButNotReapi(e))
                return $"{NotReapiPrefix}{Describe(e)}";
            return e.StatusCode == StatusCode.DeadlineExceeded
                ? $"no answer within {CapabilitiesDeadline.TotalSeconds:0} s"
                : $"{e.StatusCode}: {e.Status.Detail}";
        }
    }

    /// <summary>
    /// The REAPI client for a compile, or null with the reason it compiles locally: the scheduler was unreachable at
    /// start, or the embedded one failed to start (with local fallback; without, this waits for the build's cancel).
    /// </summary>
    private async Task<(RemoteCompiler? Remote, string? LocalReason)> RemoteAsync()
    {
        if (_schedulerStarting is not null)
        {
            try
            {
                _schedulerUrl = await _schedulerStarting.WaitAsync(_cancellation.Token).ConfigureAwait(false);
            }
            catch (Exception) when (!_cancellation.IsCancellationRequested)
            {
                if (_settings.LocalFallback)
                    return (null, "embedded scheduler did not start");
                await Task.Delay(Timeout.Infinite, _cancellation.Token).ConfigureAwait(false);
            }
        }
        var remote = _connectOnFirstCompile ? Connect(_schedulerUrl) : _remote;
        return (remote, remote is null ? "scheduler unreachable" : null);
    }

    /// <summary>
    /// Pays the first compile's one-time costs while cargo starts and runs its probes (the CPU is half idle then):
    /// the protobuf descriptors every Execute response needs, and with the embedded scheduler, once it is up, the
    /// connection to it. Stops, quietly, when the build ends first (a no-op) or the scheduler fails to start (the
    /// compiles report that).
    /// </summary>
    private async Task WarmUpAsync(Task<string>? embeddedSchedulerStarting)
    {
        try
        {
            RemoteCompiler.LoadDescriptors();
            if (embeddedSchedulerStarting is null)
                return;
            var url = await embeddedSchedulerStarting.WaitAsync(_stopListening.Token).ConfigureAwait(false);
            await Connect(url).WarmUpAsync(_stopListening.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Whatever went wrong (a start that failed, a refused call) happens again to the first compile, which reports it.
        }
    }

    /// <summary>The channel and the REAPI client on it, made once.</summary>
    private RemoteCompiler Connect(string schedulerUrl)
    {
        lock (_connecting)
        {
            if (_remote is not null)
                return _remote;
            _channel = GrpcChannels.Create(schedulerUrl, _settings.Token, _settings.CaCertificate);
            return _remote = new RemoteCompiler(_channel, _settings.InstanceName, _digests,
                _settings.LocalCasDirectory is { } localCas ? new LocalCasDirectory(localCas) : null);
        }
    }

    private const string NotReapiPrefix = "it answers, but not as a REAPI scheduler: ";

    /// <summary>
    /// A peer that speaks something else than gRPC over HTTP/2: an HTTP/1.1 web server breaks the HTTP/2 handshake,
    /// an HTTP/2 web server answers without gRPC's content type, a gRPC server without REAPI answers UNIMPLEMENTED.
    /// A refused connection or a timeout is a scheduler that is down, not one of these.
    /// </summary>
    private static bool AnsweredButNotReapi(RpcException e)
    {
        if (e.StatusCode == StatusCode.Unimplemented || e.Status.Detail.StartsWith("Bad gRPC response", StringComparison.Ordinal))
            return true;
        for (var inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException || inner is HttpRequestException { HttpRequestError: HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse or HttpRequestError.VersionNegotiationError })
                return true;
        }
        return false;
    }

    /// <summary>What answered, in one sentence: the HTTP failure when there is one, not grpc-dotnet's wrapping of it.</summary>
    private static string Describe(RpcException e)
    {
        for (var inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException or HttpProtocolException)
                return FirstSentence(inner.Message);
        }
        return $"{e.StatusCode}, {FirstSentence(e.Status.Detail)}";
    }

    private static string FirstSentence(string text)
    {
        var end = text.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? text.TrimEnd('.') : text[..end];
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopListening.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(_stopListening.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var task = Task.Run(() => ServeAsync(connection));
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using var _ = connection;
        await using var stream = new NetworkStream(connection, ownsSocket: false);
        ShimRequest request;
        try
        {
            using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stopListening.Token);
            readTimeout.CancelAfter(RequestReadTimeout);
            request = ShimProtocol.DecodeRequest(await ShimProtocol.ReadFrameAsync(stream, readTimeout.Token).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException or OperationCanceledException or SocketException)
        {
            _log.Detail($"Ignored a connection that sent no valid rustc call: {e.Message}");
            return;
        }

        ShimResponse response;
        try
        {
            response = await HandleAsync(request, stderr => WriteEarlyStderrAsync(stream, stderr)).ConfigureAwait(false);
        }
        catch (Exception e) when ((_cancelRequested || _cancellation.IsCancellationRequested) && e is OperationCanceledException or RpcException)
        {
            response = ShimResponse.Completed(1, [], Encoding.UTF8.GetBytes("error: distbuild: the build was cancelled\n"));
        }
        catch (Exception e)
        {
            // A bug or an unexpected local condition (an unreadable input, a rustc that cannot say its version): with
            // fallback the shim compiles the crate itself; without, the build output says what happened.
            var crate = RustcInvocation.Parse(request.Arguments, request.WorkingDirectory).CrateName ?? "a crate";
            var problem = $"{e.GetType().Name}: {e.Message}";
            if (_settings.LocalFallback)
            {
                _log.Warning("DISTB0103", $"{crate}: DistBuild could not send it to the scheduler ({problem}); compiling locally.");
                response = ShimResponse.Local;
            }
            else
            {
                response = ShimResponse.Completed(1, [], Encoding.UTF8.GetBytes($"error: distbuild: the coordinator failed while compiling {crate}: {problem}\n"));
            }
        }

        try
        {
            await stream.WriteAsync(ShimProtocol.EncodeResponse(response)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            _log.Detail($"A rustc shim went away before its answer: {e.Message}");
        }
    }

    private async Task WriteEarlyStderrAsync(NetworkStream stream, byte[] stderr)
    {
        try
        {
            await stream.WriteAsync(ShimProtocol.EncodeEarlyStderr(stderr)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            _log.Detail($"A rustc shim went away while its compile ran: {e.Message}");
        }
    }

    /// <param name="writeEarlyStderr">Sends the shim stderr to write at once, before the response.</param>
    private async Task<ShimResponse> HandleAsync(ShimRequest request, Func<byte[], Task> writeEarlyStderr)
    {
        var invocation = RustcInvocation.Parse(request.Arguments, request.WorkingDirectory);
        if (request.Arguments is ["-vV"])
        {
            // cargo's own version query: answered from the run every compile needs anyway, so one `rustc -vV` serves
            // cargo's probes and the first compile, instead of three in a row before anything compiles.
            var version = await _toolchains.VersionAsync(request, _cancellation.Token).ConfigureAwait(false);
            return ShimResponse.Completed(version.ExitCode, version.Stdout, version.Stderr);
        }
        if (invocation.IsSelfContainedQuery && (!invocation.ReadsStdin || request.StdinIsNull))
        {
            // cargo's --print probe (its stdin is the null device): answered as rustc answered it before, when the
            // probe cache holds that answer; a fresh target directory would otherwise run it before anything compiles.
            var answer = await _probes.AnswerAsync(request, _cancellation.Token).ConfigureAwait(false);
            _log.Detail($"rustc query answered by the coordinator: rustc {string.Join(' ', request.Arguments)}");
            return ShimResponse.Completed(answer.ExitCode, answer.Stdout, answer.Stderr);
        }
        if (invocation.LocalReason is { } reason)
        {
            _log.Detail($"rustc runs locally ({reason}): rustc {string.Join(' ', request.Arguments)}");
            return ShimResponse.Local;
        }

        var label = Label(invocation, request.Environment);
        var stopwatch = Stopwatch.StartNew();
        var (remote, localReason) = await RemoteAsync().ConfigureAwait(false);
        if (remote is null)
            return await CompileLocallyAsync(request, invocation, label, stopwatch, localReason!, attempts: 1).ConfigureAwait(false);

        var token = _cancellation.Token;
        var toolchain = await _toolchains.GetAsync(request, token).ConfigureAwait(false);
        var action = await Task.Run(() => CompileAction.Create(invocation, request.Environment, toolchain.ToPlatform(), _settings.JobTimeout, _digests), token).ConfigureAwait(false);
        var prepareSeconds = stopwatch.Elapsed.TotalSeconds;
        if (action.Collected.UsedFallback)
            _log.Detail($"{label.Crate}: no {DependencyClosure.SidecarExtension} beside {string.Join(", ", action.Collected.Closure.ExternsWithoutSidecar.Select(Path.GetFileName))} (built without DistBuild); sending every library in the -L dependency= directories");

        // cargo pipelines: it starts the crates that need only this one's metadata when rustc announces the .rmeta.
        // Remotely that is when the worker passed it on and it is written here; the sidecar goes first, since the
        // dependents find their inputs through it.
        var metadataAnnounced = false;
        Func<IReadOnlyList<string>, Task>? onEarlyOutputs = !invocation.NotifiesArtifacts ? null : async paths =>
        {
            var metadata = paths.Where(p => p.EndsWith(".rmeta", StringComparison.Ordinal)).ToList();
            if (metadata.Count == 0 || metadataAnnounced)
                return;
            DependencyClosure.WriteSidecar(invocation, action.Collected.Closure.Closure);
            metadataAnnounced = true;
            await writeEarlyStderr([.. metadata.SelectMany(MetadataNotification.LineFor)]).ConfigureAwait(false);
        };
        var outcome = await remote.RunAsync(action, prepareSeconds, token, onEarlyOutputs).ConfigureAwait(false);
        if (outcome.Failure is not null && _cancelRequested)
            throw new OperationCanceledException("the build was cancelled", token);
        if (outcome.Failure is { } failure)
        {
            var status = $"{(StatusCode)failure.Code}: {failure.Message}";
            if (_settings.LocalFallback)
            {
                _log.Warning("DISTB0102", $"{label.Crate}: the scheduler at {_schedulerUrl} could not compile it ({status}); compiling locally.");
                return await CompileLocallyAsync(request, invocation, label, stopwatch, $"remote failed: {status}", attempts: (outcome.Attempts ?? 1) + 1, metadataAnnounced).ConfigureAwait(false);
            }
            Record(label, "remote", null, 1, stopwatch, outcome.Attempts ?? 1, $"infrastructure failure: {status}");
            return ShimResponse.Completed(1, [], Encoding.UTF8.GetBytes(
                $"error: distbuild: could not compile {label.Crate} on the scheduler at {_schedulerUrl}: {status}\n"));
        }

        if (outcome.ExitCode == 0)
            DependencyClosure.WriteSidecar(invocation, action.Collected.Closure.Closure);
        _log.Detail($"{label.Crate}: action {action.ActionDigest.Hash[..12]}, {action.Collected.Files.Count} input files, {outcome.UploadedBytes} bytes uploaded, {outcome.LocalOutputs} outputs from the local CAS ({outcome.LinkedOutputs} linked){(metadataAnnounced ? ", metadata to cargo early" : "")}");
        var retried = outcome.Attempts is > 1 ? $"succeeded on attempt {outcome.Attempts}" : null;
        Record(label, outcome.Cached ? "cached" : "remote", outcome.Worker, outcome.ExitCode, stopwatch, outcome.Attempts ?? 1, retried, outcome.Phases);
        return ShimResponse.Completed(outcome.ExitCode, outcome.Stdout, metadataAnnounced ? MetadataNotification.Without(outcome.Stderr) : outcome.Stderr);
    }

    /// <param name="metadataAnnounced">cargo has had the crate's metadata notification already (from a remote attempt).</param>
    private async Task<ShimResponse> CompileLocallyAsync(
        ShimRequest request, RustcInvocation invocation, (string Crate, string Types) label, Stopwatch stopwatch, string reason, int attempts, bool metadataAnnounced = false)
    {
        var output = await LocalRustcRunner.RunAsync(request, _cancellation.Token).ConfigureAwait(false);
        if (output.ExitCode == 0)
            DependencyClosure.WriteSidecar(invocation, DependencyClosure.Compute(invocation).Closure);
        Record(label, "local", null, output.ExitCode, stopwatch, attempts, reason);
        return ShimResponse.Completed(output.ExitCode, output.Stdout, metadataAnnounced ? MetadataNotification.Without(output.Stderr) : output.Stderr);
    }

    private void Record((string Crate, string Types) label, string kind, string? worker, int exitCode, Stopwatch stopwatch, int attempts, string? note, CompilePhases? phases = null)
    {
        var seconds = stopwatch.Elapsed.TotalSeconds;
        lock (_invocations)
            _invocations.Add(new InvocationRecord(label.Crate, label.Types, kind, worker, exitCode, seconds, attempts, note, phases));
        var how = kind switch
        {
            "remote" when worker is not null => $"remote on {worker}",
            "local" when note is not null => $"local ({note})",
            _ => kind,
        };
        var failed = exitCode == 0 ? "" : $", failed with exit code {exitCode}";
        _log.Progress(string.Create(CultureInfo.InvariantCulture, $"{label.Crate} ({label.Types}): {how}, {seconds:0.00} s{failed}"));
    }

    /// <summary>How a compile is named in progress lines and records; build scripts are all called build_script_build.</summary>
    private static (string Crate, string Types) Label(RustcInvocation invocation, IReadOnlyDictionary<string, string> environment)
    {
        var crate = invocation.IsBuildScript && environment.TryGetValue("CARGO_PKG_NAME", out var package)
            ? $"{package} build script"
            : invocation.CrateName!;
        return (crate, invocation.CrateTypeList);
    }
}
