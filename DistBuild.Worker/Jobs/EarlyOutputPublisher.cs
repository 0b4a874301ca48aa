using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Rustc;
using DistBuild.Protocol.Workers;
using DistBuild.Worker.BlobCache;
using DistBuild.Worker.Sandbox;
using Grpc.Core;

namespace DistBuild.Worker.Jobs;

/// <summary>
/// Passes on a job's .rmeta as soon as rustc says it is written (its metadata notification on stderr): uploads it and
/// reports it to the scheduler, which tells the client, so cargo starts the crates that need only that metadata while
/// this compile still generates code. Best effort: whatever goes wrong here, the output still comes with the result.
/// </summary>
public sealed class EarlyOutputPublisher(
    string workerId, string jobId, SandboxLayout layout, ICasStore store, JobResultReporter reporter, ILogger logger, CancellationToken cancelled)
{
    private readonly List<Task> _publishing = [];

    /// <summary>Called with each line rustc prints on stderr, on the thread that reads it: starts the upload, never waits for it.</summary>
    public void OnStderrLine(string line)
    {
        if (MetadataNotification.PathIn(line) is not { } announced)
            return;
        var full = Path.GetFullPath(announced, layout.WorkingDirectory);
        // Only a declared output goes on: the client writes early outputs where it expects the final ones.
        var output = layout.Outputs.FirstOrDefault(o => o.Full == full);
        if (output.Relative is null)
            return;
        lock (_publishing)
            _publishing.Add(Task.Run(() => PublishAsync(output.Relative, full)));
    }

    /// <summary>Waits until every publication has ended, so the result is reported after the early outputs.</summary>
    public async Task WhenDoneAsync()
    {
        Task[] publishing;
        lock (_publishing)
            publishing = [.. _publishing];
        await Task.WhenAll(publishing);
    }

    private async Task PublishAsync(string relative, string full)
    {
        try
        {
            var blob = BlobSource.FromFile(full, ContentStamp.HashAndStamp(full));
            await store.UploadMissingAsync([blob], cancelled);
            await reporter.ReportEarlyAsync(new ReportEarlyOutputsRequest
            {
                WorkerId = workerId,
                JobId = jobId,
                OutputFiles = { new Build.Bazel.Remote.Execution.V2.OutputFile { Path = relative, Digest = blob.Digest } },
            }, cancelled);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or RpcException or OperationCanceledException)
        {
            logger.LogInformation("Job {JobId}: {Output} not passed on early: {Error}", jobId, relative, e.Message);
        }
    }
}
