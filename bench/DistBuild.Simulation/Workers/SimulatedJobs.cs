using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Workers;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DistBuild.Simulation.Workers;

/// <summary>
/// The state of one simulated worker: its slots and how it "runs" a job, by waiting the duration the action's
/// command carries and then reporting a successful ActionResult to the scheduler, as a real worker reports one.
/// </summary>
public sealed class SimulatedJobs(string workerId, int slots, WorkerRegistry.WorkerRegistryClient registry, CancellationToken stopping)
{
    /// <summary>The environment variable of a simulated command that holds how long it "compiles", in milliseconds.</summary>
    public const string DurationVariable = "DISTBUILD_SIMULATED_MILLISECONDS";

    private readonly Lock _lock = new();
    private readonly HashSet<string> _running = [];

    public string WorkerId => workerId;
    public int Slots => slots;
    public int Executed { get; private set; }

    public IReadOnlyCollection<string> RunningJobIds
    {
        get
        {
            lock (_lock)
                return _running.ToList();
        }
    }

    /// <summary>Accepts the job if a slot is free; the run and its report happen in the background.</summary>
    public bool TryStart(ExecuteJobRequest request)
    {
        var variable = request.Command?.EnvironmentVariables.FirstOrDefault(v => v.Name == DurationVariable)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"a simulated job needs {DurationVariable} in its command's environment"));
        var duration = TimeSpan.FromMilliseconds(double.Parse(variable.Value, System.Globalization.CultureInfo.InvariantCulture));
        lock (_lock)
        {
            if (_running.Count >= slots)
                return false;
            _running.Add(request.JobId);
            Executed++;
        }
        _ = RunAsync(request.JobId, duration);
        return true;
    }

    private async Task RunAsync(string jobId, TimeSpan duration)
    {
        var started = DateTime.UtcNow;
        try
        {
            await Task.Delay(duration, stopping);
            var result = new ActionResult
            {
                ExitCode = 0,
                ExecutionMetadata = new ExecutedActionMetadata
                {
                    Worker = workerId,
                    ExecutionStartTimestamp = Timestamp.FromDateTime(started),
                    ExecutionCompletedTimestamp = Timestamp.FromDateTime(DateTime.UtcNow),
                },
            };
            lock (_lock)
                _running.Remove(jobId);
            await registry.ReportJobResultAsync(new ReportJobResultRequest { WorkerId = workerId, JobId = jobId, Result = result }, cancellationToken: stopping);
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException && stopping.IsCancellationRequested)
        {
            // The simulation is over.
        }
        finally
        {
            lock (_lock)
                _running.Remove(jobId);
        }
    }
}
