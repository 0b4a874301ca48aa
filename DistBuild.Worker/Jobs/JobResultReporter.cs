using DistBuild.Protocol.Workers;
using Grpc.Core;

namespace DistBuild.Worker.Jobs;

/// <summary>Sends job results to the scheduler, retrying through a short outage: a lost result costs a whole compile. Early outputs go once.</summary>
public sealed class JobResultReporter(WorkerRegistry.WorkerRegistryClient registry, ILogger<JobResultReporter> logger)
{
    private const int Attempts = 5;

    public async Task ReportAsync(ReportJobResultRequest report)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await registry.ReportJobResultAsync(report, deadline: DateTime.UtcNow.AddSeconds(30));
                return;
            }
            catch (RpcException e) when (attempt < Attempts && e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
            {
                logger.LogWarning("Reporting job {JobId} failed ({Code}: {Detail}); retrying", report.JobId, e.StatusCode, e.Status.Detail);
                await Task.Delay(delay);
                delay *= 2;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // The scheduler forgot the job (it restarted, or the job was never its own): nothing to deliver it to.
                logger.LogWarning("The scheduler does not know job {JobId}; its result is dropped: {Detail}", report.JobId, e.Status.Detail);
                return;
            }
            catch (RpcException e)
            {
                logger.LogError("Could not report job {JobId} to the scheduler: {Code} {Detail}", report.JobId, e.StatusCode, e.Status.Detail);
                return;
            }
        }
    }

    /// <summary>One attempt, with a short deadline: an early output that cannot be delivered at once is no use later.</summary>
    public async Task ReportEarlyAsync(ReportEarlyOutputsRequest report, CancellationToken cancellationToken) =>
        await registry.ReportEarlyOutputsAsync(report, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
}
