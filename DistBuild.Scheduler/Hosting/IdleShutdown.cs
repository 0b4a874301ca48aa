using DistBuild.Scheduler.Execution;
using Microsoft.Extensions.Options;

namespace DistBuild.Scheduler.Hosting;

/// <summary>
/// Stops the host after <see cref="SchedulerOptions.IdleShutdown"/> with no new connection, no client call and no job in flight,
/// so the scheduler the SDK starts by itself does not outlive the builds that use it. Off when zero.
/// </summary>
public sealed class IdleShutdown(
    ActivityTracker activity,
    JobScheduler scheduler,
    IHostApplicationLifetime lifetime,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<IdleShutdown> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idleLimit = options.Value.IdleShutdown;
        if (idleLimit <= TimeSpan.Zero)
            return;
        // Count idleness from the moment the server listens: on a loaded machine binding can take longer than a
        // short idle limit, and stopping while Kestrel binds crashes the host instead of stopping it.
        if (!await WaitUntilStartedAsync(stoppingToken))
            return;
        activity.Touch();
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(idleLimit.TotalMilliseconds / 4, 50, 1000));
        using var timer = new PeriodicTimer(tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (activity.OpenCalls > 0 || scheduler.UnfinishedCount > 0)
                {
                    activity.Touch();
                    continue;
                }
                if (time.GetUtcNow() - activity.LastActivity < idleLimit)
                    continue;
                logger.LogInformation("No client call and no job for {IdleShutdown}; shutting down", idleLimit);
                lifetime.StopApplication();
                return;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<bool> WaitUntilStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
