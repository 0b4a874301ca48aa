using DistBuild.Protocol.Workers;
using DistBuild.Worker.Jobs;
using DistBuild.Worker.Toolchains;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DistBuild.Worker.Registration;

/// <summary>
/// Keeps the worker known to the scheduler: registers (retrying while the scheduler is not up), heartbeats at
/// the interval the scheduler asked for, and registers again when a heartbeat says the scheduler forgot it.
/// Jobs run on their own tasks, so a long compile never delays a heartbeat.
/// </summary>
public sealed class RegistrationLoop(
    SchedulerConnection scheduler,
    WorkerAddress address,
    WorkerToolchain toolchain,
    JobSlots slots,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<RegistrationLoop> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    // Short, for a scheduler that takes connections but does not answer yet (the first call waits for its port).
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var registry = scheduler.Registry;
        var url = await address.GetAsync(stoppingToken);
        var interval = settings.DefaultHeartbeatInterval;
        var lastContact = time.GetUtcNow();
        var retryDelay = FirstRetryDelay;
        var registered = false;
        var failures = 0;
        // Bounded: a scheduler that is down for longer is the loop's to retry and report.
        await SchedulerPort.WaitUntilListeningAsync(scheduler.Url, interval, time, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!registered)
                {
                    var request = new RegisterWorkerRequest { WorkerId = settings.Id, Address = url, Slots = slots.Capacity, Platform = toolchain.Identity.ToPlatform() };
                    var response = await registry.RegisterWorkerAsync(request, deadline: Deadline(interval), cancellationToken: stoppingToken);
                    if (response.HeartbeatInterval is { } answered && answered.ToTimeSpan() > TimeSpan.Zero)
                        interval = answered.ToTimeSpan();
                    registered = true;
                    logger.LogInformation("Registered with the scheduler at {Scheduler} as {WorkerId} ({Address}, {Slots} slots, {Toolchain}); heartbeat every {Interval}",
                        scheduler.Url, settings.Id, url, slots.Capacity, toolchain.Identity, interval);
                }
                else
                {
                    var heartbeat = new HeartbeatRequest { WorkerId = settings.Id, ReportsRunningJobs = true };
                    heartbeat.RunningJobIds.AddRange(slots.RunningJobIds);
                    var response = await registry.HeartbeatAsync(heartbeat, deadline: Deadline(interval), cancellationToken: stoppingToken);
                    if (!response.Registered)
                    {
                        logger.LogWarning("The scheduler no longer knows this worker; registering again");
                        registered = false;
                        lastContact = time.GetUtcNow();
                        continue;
                    }
                }
                lastContact = time.GetUtcNow();
                retryDelay = FirstRetryDelay;
                failures = 0;
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
            {
                var silentFor = time.GetUtcNow() - lastContact;
                // While the scheduler is down every retry fails: say so at the start and now and then, not each time.
                var level = ++failures == 1 || failures % 10 == 0 ? LogLevel.Warning : LogLevel.Debug;
                logger.Log(level, "The scheduler at {Scheduler} did not answer ({Code}: {Detail}); unreachable for {Silence}",
                    scheduler.Url, e.StatusCode, e.Status.Detail, silentFor);
                if (settings.ExitWhenSchedulerGone && silentFor >= interval * settings.SchedulerGoneHeartbeats)
                {
                    logger.LogWarning("Stopping: the scheduler has been unreachable for {Silence} and Worker:ExitWhenSchedulerGone is set", silentFor);
                    lifetime.StopApplication();
                    return;
                }
                // Stay registered: the scheduler treats a second registration as a restart and requeues our jobs.
                // If it really did restart, the next heartbeat that gets through says so.
                await Task.Delay(retryDelay, time, stoppingToken);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, Math.Min(MaxRetryDelay.Ticks, interval.Ticks)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private DateTime Deadline(TimeSpan interval) => DateTime.UtcNow + (interval < TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : interval);
}
