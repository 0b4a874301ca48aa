using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Execution;
using DistBuild.Protocol.Workers;
using DistBuild.Testing;
using Grpc.Net.Client;

namespace DistBuild.Worker.Tests.Integration;

/// <summary>A real scheduler and one real worker process, both on loopback ports chosen at run time.</summary>
public sealed class SchedulerWithWorker : IAsyncLifetime
{
    private GrpcChannel? _schedulerChannel;
    private GrpcChannel? _workerChannel;

    public HostProcess Scheduler { get; private set; } = null!;

    public HostProcess Worker { get; private set; } = null!;

    public string WorkDirectory { get; } = TemporaryDirectory.Create("worker-it");

    public CasClient Cas { get; private set; } = null!;

    public RemoteExecutor Executor { get; private set; } = null!;

    /// <summary>The worker's own service, for tests that act as the scheduler would.</summary>
    public WorkerService.WorkerServiceClient WorkerService { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Tests that push jobs straight to the worker act as the scheduler would; the real scheduler cancels jobs it
        // does not know when a heartbeat lists them, so heartbeats are made too rare to reach those tests.
        Scheduler = await TestHosts.StartSchedulerAsync(null, "--Scheduler:HeartbeatInterval=00:05:00", "--Scheduler:WorkerTimeout=00:15:00");
        Worker = await TestHosts.StartWorkerAsync(Scheduler.Url, "worker-it", "--Worker:Slots=1", $"--Worker:WorkDirectory={WorkDirectory}");
        _schedulerChannel = GrpcChannels.Create(Scheduler.Url);
        _workerChannel = GrpcChannels.Create(Worker.Url);
        Cas = new CasClient(_schedulerChannel, "");
        Executor = new RemoteExecutor(_schedulerChannel);
        WorkerService = new WorkerService.WorkerServiceClient(_workerChannel);
    }

    /// <summary>Uploads the action's blobs and executes it through the scheduler, as a REAPI client does.</summary>
    public async Task<ExecuteResponse> ExecuteAsync(RustAction action, TimeSpan timeout)
    {
        var (digest, _, blobs) = action.Build();
        using var cancel = new CancellationTokenSource(timeout);
        await Cas.UploadMissingAsync(blobs, cancel.Token);
        var request = new ExecuteRequest { ActionDigest = digest, SkipCacheLookup = true };
        return await Executor.ExecuteAsync(request, (_, _) => Task.CompletedTask, null, cancel.Token);
    }

    /// <summary>Uploads the action's inputs and pushes it straight to the worker under a job id the scheduler does not know.</summary>
    public async Task<string> PushToWorkerAsync(RustAction action, TimeSpan? jobTimeout = null)
    {
        var (digest, protoAction, blobs) = action.Build();
        await Cas.UploadMissingAsync(blobs, CancellationToken.None);
        var jobId = "direct-" + Guid.NewGuid().ToString("N")[..8];
        var request = new ExecuteJobRequest { JobId = jobId, ActionDigest = digest, Action = protoAction, Command = action.Command };
        if (jobTimeout is { } timeout)
            request.Timeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(timeout);
        await WorkerService.ExecuteJobAsync(request);
        return jobId;
    }

    public async Task DisposeAsync()
    {
        _schedulerChannel?.Dispose();
        _workerChannel?.Dispose();
        await Worker.DisposeAsync();
        await Scheduler.DisposeAsync();
    }
}
