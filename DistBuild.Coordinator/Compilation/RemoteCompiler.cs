using System.Collections.Concurrent;
using System.Diagnostics;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using DistBuild.Protocol.Workers;
using Google.LongRunning;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// Runs a compile action through REAPI: uploads the inputs the CAS lacks, executes, and writes the outputs the
/// action produced where rustc would have written them.
/// </summary>
public sealed class RemoteCompiler
{
    /// <summary>How long a scheduler that stopped answering (restart, network) is waited for before the compile fails.</summary>
    public static readonly TimeSpan ReconnectWindow = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan AdminDeadline = TimeSpan.FromSeconds(5);
    private readonly CasClient _cas;
    private readonly RemoteExecutor _executor;
    private readonly Admin.AdminClient _admin;
    private readonly Operations.OperationsClient _operations;
    private readonly Capabilities.CapabilitiesClient _capabilities;
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    private readonly string _instanceName;
    private readonly FileDigestCache _digests;
    private readonly LocalCasDirectory? _localCas;

    // Whether the last compile came back from the action cache. While they do (a warm build), a compile is executed
    // before anything is uploaded: a hit needs no inputs, so asking FindMissingBlobs first would cost a round trip to
    // the server per compile for nothing. When the server lacks inputs after all, it says so and they go up then.
    private volatile bool _expectCacheHit;

    /// <param name="localCas">The scheduler's CAS directory when it runs on this machine: inputs are copied into it and outputs from it.</param>
    public RemoteCompiler(GrpcChannel channel, string instanceName, FileDigestCache digests, LocalCasDirectory? localCas = null)
    {
        _localCas = localCas;
        _cas = new CasClient(channel, instanceName);
        _executor = new RemoteExecutor(channel, ReconnectWindow);
        _admin = new Admin.AdminClient(channel);
        _operations = new Operations.OperationsClient(channel);
        _capabilities = new Capabilities.CapabilitiesClient(channel);
        _instanceName = instanceName;
        _digests = digests;
    }

    /// <summary>What came back: either an infrastructure failure (<see cref="Failure"/>) or rustc's result.</summary>
    /// <param name="Attempts">Starts of the job on workers as the scheduler counted them (retries after lost workers
    /// included); null when the server does not say (another REAPI server, or a cache hit).</param>
    /// <param name="Phases">Where the time went, null for an infrastructure failure.</param>
    /// <param name="LocalOutputs">Outputs taken from the scheduler's CAS directory on this machine instead of downloaded.</param>
    /// <param name="LinkedOutputs">Those of them hard-linked to their blob rather than copied.</param>
    public sealed record Outcome(Google.Rpc.Status? Failure, bool Cached, string? Worker, int ExitCode, byte[] Stdout, byte[] Stderr, long UploadedBytes, int? Attempts = null, CompilePhases? Phases = null, int LocalOutputs = 0, int LinkedOutputs = 0)
    {
        public static Outcome Failed(Google.Rpc.Status status, int? attempts = null) => new(status, false, null, 1, [], [], 0, attempts);
    }

    /// <summary>
    /// Builds the descriptors of the messages an Execute's operation carries packed in an Any: the first unpacking
    /// builds those of their whole .proto files, about 7 ms of a build's first compile otherwise.
    /// </summary>
    public static void LoadDescriptors()
    {
        _ = ExecuteOperationMetadata.Descriptor;
        _ = ExecuteResponse.Descriptor;
        _ = EarlyOutputs.Descriptor;
        _ = JobAttempts.Descriptor;
    }

    /// <summary>Opens the connection with the cheapest call there is, so the first compile does not pay for it.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken) =>
        _capabilities.GetCapabilitiesAsync(new GetCapabilitiesRequest { InstanceName = _instanceName },
            deadline: DateTime.UtcNow + AdminDeadline, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>
    /// Asks the server to cancel every execution in flight (google.longrunning CancelOperation), so a cancelled build
    /// leaves no job running on the farm. Servers without the Operations service answer UNIMPLEMENTED, which is ignored.
    /// </summary>
    public Task CancelInFlightAsync() => Task.WhenAll(_inFlight.Keys.ToList().Select(CancelOperationAsync));

    private async Task CancelOperationAsync(string name)
    {
        try
        {
            await _operations.CancelOperationAsync(new CancelOperationRequest { Name = name }, deadline: DateTime.UtcNow + AdminDeadline);
        }
        catch (RpcException)
        {
            // UNIMPLEMENTED (another server), NOT_FOUND (already forgotten) or unreachable: nothing more to do.
        }
    }

    /// <param name="prepareSeconds">Time spent building the action, reported in the outcome's phases.</param>
    /// <param name="onEarlyOutputs">
    /// Called with the local paths of outputs the server reported final while the compile still ran (a library's
    /// .rmeta), once they are written there; each output at most once, whatever retries follow. Null: no early outputs.
    /// </param>
    public async Task<Outcome> RunAsync(CompileAction action, double prepareSeconds, CancellationToken cancellationToken, Func<IReadOnlyList<string>, Task>? onEarlyOutputs = null)
    {
        var early = onEarlyOutputs is null ? null : new EarlyWrites(action, onEarlyOutputs);
        // A scheduler restart can break any call, not only the Execute stream the executor reattaches: upload,
        // execute and download are started over (the action cache then answers) until the scheduler is back.
        var deadline = DateTime.UtcNow + ReconnectWindow;
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                return await RunOnceAsync(action, prepareSeconds, skipCacheLookup: false, early, cancellationToken);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (e.StatusCode != StatusCode.Unavailable || DateTime.UtcNow > deadline)
                    return Outcome.Failed(RemoteExecutor.ToStatus(e));
            }
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }

    private async Task<Outcome> RunOnceAsync(CompileAction action, double prepareSeconds, bool skipCacheLookup, EarlyWrites? early, CancellationToken cancellationToken)
    {
        string? operationName = null;
        var executed = false;
        // Outputs written after this are this compile's own (or a twin's running now), and new enough for cargo as they are.
        var started = DateTime.UtcNow;
        try
        {
            var phase = Stopwatch.StartNew();
            var uploaded = _expectCacheHit ? 0 : await UploadMissingAsync(action.Blobs, cancellationToken);
            var uploadSeconds = phase.Elapsed.TotalSeconds;
            phase.Restart();

            var request = new ExecuteRequest
            {
                InstanceName = _instanceName,
                ActionDigest = action.ActionDigest,
                DigestFunction = DigestFunction.Types.Value.Sha256,
                SkipCacheLookup = skipCacheLookup,
            };
            var response = await _executor.ExecuteAsync(
                request,
                // The server names what it lacks: after a cache miss that was executed first, that may be only the
                // Action itself (it cannot look further), so everything the CAS lacks goes up, not only the names.
                async (_, token) => uploaded += await UploadMissingAsync(action.Blobs, token),
                onStage: (name, stage) =>
                {
                    if (name == operationName)
                        return;
                    if (operationName is not null)
                        _inFlight.TryRemove(operationName, out _);
                    operationName = name;
                    _inFlight.TryAdd(name, 0);
                },
                cancellationToken,
                early is null ? null : (outputs, token) => WriteEarlyAsync(early, outputs, started, token));
            executed = true;
            _expectCacheHit = response.CachedResult;
            var executeSeconds = phase.Elapsed.TotalSeconds;
            if (operationName is not null)
                _inFlight.TryRemove(operationName, out _);
            if (response.Status is { Code: not 0 } status)
                return Outcome.Failed(status, operationName is { } failed ? await AttemptsAsync(failed) : null);
            if (response.Result is null)
                return Outcome.Failed(RichStatus.Of(StatusCode.Internal, "the ExecuteResponse carries neither a result nor an error"));

            var result = response.Result;
            var attempts = response.CachedResult ? null : AttemptsOf(result);
            phase.Restart();
            int localOutputs, linkedOutputs;
            byte[] stdout, stderr;
            try
            {
                // A cache hit's blobs are older than this compile: looking whether they could be linked would only cost a stat each.
                var notWritten = result.OutputFiles.Where(o => early?.IsInPlace(o) != true).ToList();
                (localOutputs, linkedOutputs) = await DownloadOutputsAsync(action, notWritten, response.CachedResult ? null : started, cancellationToken);
                stdout = await ReadStreamAsync(result.StdoutRaw, result.StdoutDigest, cancellationToken);
                stderr = await ReadStreamAsync(result.StderrRaw, result.StderrDigest, cancellationToken);
            }
            catch (RpcException e) when (response.CachedResult && !skipCacheLookup && e.StatusCode is StatusCode.NotFound or StatusCode.DataLoss)
            {
                // A blob of the cached result is gone, or was found damaged and dropped: the result is no use, so the
                // action runs again past the cache, as REAPI asks of a client, instead of failing the build.
                return await RunOnceAsync(action, prepareSeconds, skipCacheLookup: true, early, cancellationToken);
            }
            var (inputs, rustc, outputs) = CompilePhases.FromWorker(result.ExecutionMetadata, response.CachedResult);
            var phases = new CompilePhases(prepareSeconds, uploadSeconds, executeSeconds, phase.Elapsed.TotalSeconds, inputs, rustc, outputs);
            return new Outcome(null, response.CachedResult, result.ExecutionMetadata?.Worker, result.ExitCode, stdout, stderr, uploaded, attempts, phases, localOutputs, linkedOutputs);
        }
        finally
        {
            if (operationName is not null)
            {
                _inFlight.TryRemove(operationName, out _);
                // An execution the build abandons is cancelled on the server too, also one whose name arrived after
                // CancelInFlightAsync looked; otherwise its job would run on to the end on its worker.
                if (!executed && cancellationToken.IsCancellationRequested)
                    _ = CancelOperationAsync(operationName);
            }
        }
    }

    /// <summary>
    /// How many times DistBuild's scheduler started the job, as it says in the result; null from other servers, and
    /// from a server whose JobAttempts does not parse (the count is for the report, not worth failing a compile).
    /// </summary>
    public static int? AttemptsOf(ActionResult result)
    {
        var packed = result.ExecutionMetadata?.AuxiliaryMetadata.FirstOrDefault(a => a.Is(JobAttempts.Descriptor));
        try
        {
            return packed?.Unpack<JobAttempts>().Attempts is > 0 and var attempts ? attempts : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>
    /// How many times the scheduler started a job that failed without a result, from DistBuild's admin API (the operation name is the job id).
    /// REAPI has no standard place for it; any other server answers UNIMPLEMENTED or NOT_FOUND, and the count stays unknown.
    /// </summary>
    private async Task<int?> AttemptsAsync(string operationName)
    {
        try
        {
            var job = await _admin.GetJobAsync(new GetJobRequest { JobId = operationName }, deadline: DateTime.UtcNow + AdminDeadline);
            return job.Attempts > 0 ? job.Attempts : null;
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>Uploads the blobs the CAS lacks; returns their bytes.</summary>
    private async Task<long> UploadMissingAsync(IReadOnlyCollection<BlobSource> blobs, CancellationToken cancellationToken)
    {
        var missing = await _cas.FindMissingAsync(blobs, cancellationToken);
        await UploadAsync(missing, cancellationToken);
        return missing.Sum(b => b.Digest.SizeBytes);
    }

    /// <summary>
    /// Uploads blobs. On the scheduler's machine they are copied into its CAS directory instead (never linked: a source
    /// file an editor rewrites in place would change the blob), and the scheduler then confirms it has them: what could
    /// not be put there still goes through gRPC.
    /// </summary>
    private async Task UploadAsync(IReadOnlyCollection<BlobSource> blobs, CancellationToken cancellationToken)
    {
        if (blobs.Count == 0)
            return;
        if (_localCas is null)
        {
            await _cas.UploadAsync(blobs, cancellationToken);
            return;
        }
        foreach (var blob in blobs)
            _localCas.TryPut(blob, mayLink: false);
        await _cas.UploadMissingAsync(blobs, cancellationToken);
    }

    /// <summary>
    /// Writes the outputs where rustc would have; returns how many came from the local CAS and how many of those are
    /// links to their blobs. The outputs nothing writes into are linked when their blob is new since
    /// <paramref name="linkSince"/> (null: copy everything): in a cold build that spares copying most of the bytes a
    /// build makes (libraries, proc macros and build scripts), which on one machine was the coordinator's largest cost.
    /// </summary>
    private async Task<(int Local, int Linked)> DownloadOutputsAsync(CompileAction action, IReadOnlyList<OutputFile> outputs, DateTime? linkSince, CancellationToken cancellationToken)
    {
        var downloads = new List<FileDownload>();
        var (local, linked) = (0, 0);
        foreach (var output in outputs)
        {
            var path = action.OutputLocations.TryGetValue(output.Path, out var known)
                ? known
                : Path.GetFullPath(output.Path, "/" + action.Command.WorkingDirectory);
            if (!output.Contents.IsEmpty)
            {
                await WriteInlineAsync(path, output.Contents, output.IsExecutable, cancellationToken);
            }
            else if (_localCas is { } cas && linkSince is { } since && action.ShareableOutputs.Contains(path) && cas.TryLinkFresh(output.Digest, path, output.IsExecutable, since))
            {
                local++;
                linked++;
            }
            else if (_localCas?.TryCopy(output.Digest, path, output.IsExecutable) == true)
            {
                local++;
            }
            else
            {
                downloads.Add(new FileDownload(output.Digest, path, output.IsExecutable));
            }
        }
        await _cas.DownloadFilesAsync(downloads, cancellationToken);
        foreach (var output in outputs)
        {
            if (action.OutputLocations.TryGetValue(output.Path, out var path))
                _digests.Seed(path, output.Digest);
        }
        return (local, linked);
    }

    /// <summary>
    /// Writes the early outputs not written yet, then tells the caller. One that cannot be had now (its blob is gone,
    /// a write fails) is left to the final result, which carries it too: it is then simply not early.
    /// </summary>
    private async Task WriteEarlyAsync(EarlyWrites early, IReadOnlyList<OutputFile> outputs, DateTime linkSince, CancellationToken cancellationToken)
    {
        var fresh = outputs.Where(early.IsNew).ToList();
        if (fresh.Count == 0)
            return;
        try
        {
            await DownloadOutputsAsync(early.Action, fresh, linkSince, cancellationToken);
        }
        catch (Exception e) when (e is RpcException or IOException or UnauthorizedAccessException && !cancellationToken.IsCancellationRequested)
        {
            return;
        }
        await early.WrittenAsync(fresh);
    }

    /// <summary>The early outputs one compile has written, across the retries of its execution.</summary>
    private sealed class EarlyWrites(CompileAction action, Func<IReadOnlyList<string>, Task> onWritten)
    {
        private readonly Dictionary<string, Digest> _written = new(StringComparer.Ordinal);

        public CompileAction Action => action;

        /// <summary>An output this compile expects and has not written early yet.</summary>
        public bool IsNew(OutputFile output) => action.OutputLocations.ContainsKey(output.Path) && !_written.ContainsKey(output.Path);

        /// <summary>An output of the result already written early, with the same contents.</summary>
        public bool IsInPlace(OutputFile output) => _written.TryGetValue(output.Path, out var digest) && digest.Equals(output.Digest);

        public Task WrittenAsync(IReadOnlyList<OutputFile> outputs)
        {
            foreach (var output in outputs)
                _written[output.Path] = output.Digest;
            return onWritten([.. outputs.Select(o => action.OutputLocations[o.Path])]);
        }
    }

    private static async Task WriteInlineAsync(string path, ByteString contents, bool isExecutable, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".distbuild-" + Guid.NewGuid().ToString("N")[..8];
        await File.WriteAllBytesAsync(temporary, contents.ToByteArray(), cancellationToken);
        if (isExecutable && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(temporary, File.GetUnixFileMode(temporary) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.Move(temporary, path, overwrite: true);
    }

    private async Task<byte[]> ReadStreamAsync(ByteString raw, Digest? digest, CancellationToken cancellationToken)
    {
        if (!raw.IsEmpty)
            return raw.ToByteArray();
        if (digest is null || digest.SizeBytes == 0)
            return [];
        return (await _cas.ReadAsync(digest, cancellationToken)).ToByteArray();
    }
}
