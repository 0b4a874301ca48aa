using DistBuild.Protocol.Execution;
using DistBuild.Protocol.Workers;
using DistBuild.Worker.Toolchains;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DistBuild.Worker.Jobs;

/// <summary>
/// Accepts jobs into free slots and runs each in the background, so ExecuteJob answers at once and neither
/// heartbeats nor other jobs wait for a compile. Each job's report goes back through ReportJobResult.
/// </summary>
public sealed class JobDispatcher(JobSlots slots, JobRunner runner, JobResultReporter reporter, WorkerToolchain toolchain, IOptions<WorkerOptions> options, ILogger<JobDispatcher> logger) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    public JobSlots Slots => slots;

    /// <summary>Starts the job; false when every slot is taken. A job id that is already running is accepted again without a second run.</summary>
    public bool TryStart(ExecuteJobRequest request)
    {
        if (slots.IsRunning(request.JobId))
            return true;
        if (!slots.TryAcquire(request.JobId, out var job))
            return false;
        logger.LogInformation("Accepted job {JobId} (attempt {Attempt}); {Free} of {Capacity} slots free", request.JobId, request.Attempt, slots.FreeSlots, slots.Capacity);
        lock (_lock)
        {
            var task = Task.Run(() => RunAsync(request, job));
            _inFlight[request.JobId] = task;
            task.ContinueWith(t =>
            {
                lock (_lock)
                {
                    if (_inFlight.TryGetValue(request.JobId, out var current) && current == t)
                        _inFlight.Remove(request.JobId);
                }
            }, TaskScheduler.Default);
        }
        return true;
    }

    /// <summary>Cancels a running job and waits (bounded) until its process tree is gone and its sandbox deleted.</summary>
    public async Task CancelAsync(string jobId, TimeSpan wait)
    {
        if (!slots.TryCancel(jobId))
            return;
        logger.LogInformation("Cancelling job {JobId}", jobId);
        Task? task;
        lock (_lock)
            _inFlight.TryGetValue(jobId, out task);
        if (task is not null)
            await task.WaitAsync(wait).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RunAsync(ExecuteJobRequest request, RunningJob job)
    {
        ReportJobResultRequest report;
        try
        {
            if (!File.Exists(toolchain.RustcPath))
            {
                // Checked here because a sandbox wrapper would report a missing program as an ordinary exit code 1,
                // which the client would take for a compile error; this is the worker's fault, not the crate's.
                report = new ReportJobResultRequest
                {
                    WorkerId = options.Value.Id,
                    JobId = request.JobId,
                    Status = RichStatus.Of(StatusCode.Unavailable, $"worker {options.Value.Id} could not start rustc '{toolchain.RustcPath}': the file no longer exists"),
                };
            }
            else
            {
                report = await runner.RunAsync(request, job.Cancelled);
                CrashedRustc.Classify(report, request.Command);
            }
        }
        finally
        {
            // The slot is free as soon as the sandbox is gone; the report need not hold it.
            slots.Release(job);
        }
        await reporter.ReportAsync(report);
    }

    public async ValueTask DisposeAsync()
    {
        slots.CancelAll();
        Task[] tasks;
        lock (_lock)
            tasks = _inFlight.Values.ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
