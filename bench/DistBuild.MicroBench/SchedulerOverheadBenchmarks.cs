using BenchmarkDotNet.Attributes;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using Google.Protobuf;

namespace DistBuild.MicroBench;

/// <summary>
/// What the scheduler adds per action when the answer is already known: Execute of an action-cache hit, through
/// the real Execution service and the client's RemoteExecutor, against the cheapest possible unary call on the
/// same channel (GetCapabilities). The ratio is the scheduler's fixed cost per action in units of a bare RPC.
/// </summary>
[MemoryDiagnoser]
public class SchedulerOverheadBenchmarks
{
    private SchedulerConnection _scheduler = null!;
    private Capabilities.CapabilitiesClient _capabilities = null!;
    private ActionCache.ActionCacheClient _actionCache = null!;
    private RemoteExecutor _executor = null!;
    private ExecuteRequest _execute = null!;
    private GetActionResultRequest _getResult = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scheduler = SchedulerConnection.Start();
        _capabilities = new Capabilities.CapabilitiesClient(_scheduler.Channel);
        _actionCache = new ActionCache.ActionCacheClient(_scheduler.Channel);
        _executor = new RemoteExecutor(_scheduler.Channel);

        var command = new Command();
        command.Arguments.AddRange(["rustc", "--crate-name", "bench", "src/lib.rs"]);
        var inputRoot = BlobSource.FromMessage(new Build.Bazel.Remote.Execution.V2.Directory());
        var commandBlob = BlobSource.FromMessage(command);
        var action = BlobSource.FromMessage(new Build.Bazel.Remote.Execution.V2.Action { CommandDigest = commandBlob.Digest, InputRootDigest = inputRoot.Digest });
        new CasClient(_scheduler.Channel, "").UploadMissingAsync([inputRoot, commandBlob, action], CancellationToken.None).GetAwaiter().GetResult();
        var result = new ActionResult { ExitCode = 0, StderrRaw = ByteString.CopyFromUtf8("") };
        _actionCache.UpdateActionResult(new UpdateActionResultRequest { ActionDigest = action.Digest, ActionResult = result, DigestFunction = DigestFunction.Types.Value.Sha256 });
        _execute = new ExecuteRequest { ActionDigest = action.Digest, DigestFunction = DigestFunction.Types.Value.Sha256 };
        _getResult = new GetActionResultRequest { ActionDigest = action.Digest, DigestFunction = DigestFunction.Types.Value.Sha256 };

        var first = ExecuteCacheHit().GetAwaiter().GetResult();
        if (!first.CachedResult)
            throw new InvalidOperationException("the prepared action was not served from the action cache");
    }

    [GlobalCleanup]
    public void Cleanup() => _scheduler.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "GetCapabilities (empty unary)")]
    public async Task<ServerCapabilities> EmptyUnary() =>
        await _capabilities.GetCapabilitiesAsync(new GetCapabilitiesRequest());

    [Benchmark(Description = "GetActionResult (hit)")]
    public async Task<ActionResult> GetActionResultHit() =>
        await _actionCache.GetActionResultAsync(_getResult);

    [Benchmark(Description = "Execute (action-cache hit)")]
    public Task<ExecuteResponse> ExecuteCacheHit() =>
        _executor.ExecuteAsync(_execute, (_, _) => throw new InvalidOperationException("a cache hit needs no upload"), null, CancellationToken.None);
}
