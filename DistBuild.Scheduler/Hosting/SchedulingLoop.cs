using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Workers;

namespace DistBuild.Scheduler.Hosting;

/// <summary>
/// Drives the plain scheduling classes: dispatches as soon as there is work, and every second removes
/// silent workers and fails jobs past their timeout.
/// </summary>
public sealed class SchedulingLoop(JobScheduler scheduler, JobDispatcher dispatcher, LivenessMonitor liveness, TimeProvider time, ILogger<SchedulingLoop> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var housekeeping = HousekeepingAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Calls run in the background so a slow worker never delays dispatch to the others.
                foreach (var assignment in scheduler.AssignPending())
                    _ = dispatcher.SendAsync(assignment, stoppingToken);
                await scheduler.WaitForWorkAsync(Tick, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Dispatch failed");
            }
        }
        await housekeeping;
    }

    private async Task HousekeepingAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    liveness.Check();
                    foreach (var cancellation in scheduler.ExpireTimedOut())
                        _ = dispatcher.CancelAsync(cancellation, stoppingToken);
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Housekeeping failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
