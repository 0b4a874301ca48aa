using System.ComponentModel;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using DistBuild.Protocol.Workers;
using DistBuild.Worker.BlobCache;
using DistBuild.Worker.Isolation;
using DistBuild.Worker.Sandbox;
using DistBuild.Worker.Toolchains;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Status = Google.Rpc.Status;

namespace DistBuild.Worker.Jobs;

/// <summary>
/// Runs one job from start to report: checks the command, materialises the input tree in a fresh sandbox,
/// runs the worker's rustc there with paths rewritten (passing on its .rmeta early), uploads the outputs, and deletes the sandbox. Every
/// way it can end becomes a report: an ActionResult when rustc ran (whatever its exit code), else a status.
/// </summary>
public sealed class JobRunner(
    string workerId,
    string workDirectory,
    WorkerToolchain toolchain,
    JobIsolation isolation,
    RustcJobserver jobserver,
    LocalBlobCache cache,
    Func<string, ICasStore> storeForInstance,
    JobResultReporter reporter,
    TimeProvider time,
    ILogger<JobRunner> logger)
{
    /// <summary>stdout and stderr up to this size also travel inline in the ActionResult.</summary>
    public const int InlineOutputLimit = 64 << 10;

    public async Task<ReportJobResultRequest> RunAsync(ExecuteJobRequest request, CancellationToken cancelled)
    {
        var report = new ReportJobResultRequest { WorkerId = workerId, JobId = request.JobId };
        var jobDirectory = Path.Combine(workDirectory, "jobs", DirectoryNameFor(request.JobId));
        var timeout = EffectiveTimeout(request);
        using var deadline = timeout is { } t ? new CancellationTokenSource(t, time) : new CancellationTokenSource();
        try
        {
            report.Result = await RunInSandboxAsync(request, jobDirectory, deadline, cancelled);
        }
        catch (JobFailure failure)
        {
            report.Status = failure.Status;
        }
        catch (MissingBlobsException missing)
        {
            report.Status = RichStatus.MissingBlobs(missing.Missing);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancelled.IsCancellationRequested)
        {
            RenewJobserver();
            report.Status = RichStatus.Of(StatusCode.DeadlineExceeded, $"the job ran longer than its timeout of {timeout} and was killed");
        }
        catch (OperationCanceledException) when (cancelled.IsCancellationRequested)
        {
            RenewJobserver();
            report.Status = RichStatus.Of(StatusCode.Cancelled, "the job was cancelled");
        }
        catch (RpcException e)
        {
            report.Status = RichStatus.Of(StatusCode.Unavailable, $"worker {workerId} could not reach the CAS: {e.Status.Detail}");
        }
        catch (Win32Exception e)
        {
            report.Status = RichStatus.Of(StatusCode.Unavailable, $"worker {workerId} could not start rustc '{toolchain.RustcPath}': {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report.Status = RichStatus.Of(StatusCode.Unavailable, $"I/O failure on worker {workerId}: {e.Message}");
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {JobId} failed unexpectedly", request.JobId);
            report.Status = RichStatus.Of(StatusCode.Internal, $"worker {workerId} failed: {e.Message}");
        }
        finally
        {
            DeleteQuietly(jobDirectory);
            cache.Trim();
        }
        if (report.Status is { } status)
            logger.LogWarning("Job {JobId} did not run: {Code} {Message}", request.JobId, (StatusCode)status.Code, status.Message);
        else
            logger.LogInformation("Job {JobId} finished with exit code {ExitCode}", request.JobId, report.Result.ExitCode);
        return report;
    }

    private async Task<ActionResult> RunInSandboxAsync(ExecuteJobRequest request, string jobDirectory, CancellationTokenSource deadline, CancellationToken cancelled)
    {
        var metadata = new ExecutedActionMetadata { Worker = workerId, WorkerStartTimestamp = Now() };
        var command = request.Command ?? throw JobFailure.Of(StatusCode.InvalidArgument, "the job carries no Command");
        var action = request.Action ?? throw JobFailure.Of(StatusCode.InvalidArgument, "the job carries no Action");
        CommandPolicy.Check(command);

        DeleteQuietly(jobDirectory);
        var root = Path.Combine(jobDirectory, "root");
        var temporary = Path.Combine(jobDirectory, "tmp");
        System.IO.Directory.CreateDirectory(root);
        System.IO.Directory.CreateDirectory(temporary);
        var layout = SandboxLayout.For(root, command);
        var store = storeForInstance(request.InstanceName);

        metadata.InputFetchStartTimestamp = Now();
        await new TreeMaterializer(cache, store).MaterializeAsync(action.InputRootDigest, root, cancelled);
        layout.Prepare();
        metadata.InputFetchCompletedTimestamp = Now();

        var rewriter = new PathRewriter(root);
        var arguments = rewriter.RewriteArguments(command.Arguments.Skip(1).ToList());
        var environment = JobEnvironment.Build(Environment.GetEnvironmentVariables(), command, rewriter, temporary, jobserver.MakeFlags);

        metadata.ExecutionStartTimestamp = Now();
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancelled, deadline.Token);
        logger.LogInformation("Job {JobId}: running {Description}", request.JobId, Describe(command));
        var (program, programArguments) = isolation.Wrap(toolchain.RustcPath, arguments, layout.WorkingDirectory, jobDirectory);
        var early = new EarlyOutputPublisher(workerId, request.JobId, layout, store, reporter, logger, running.Token);
        var outcome = await ChildProcess.RunAsync(program, programArguments, layout.WorkingDirectory, environment, running.Token, early.OnStderrLine);
        metadata.ExecutionCompletedTimestamp = Now();
        await early.WhenDoneAsync();

        metadata.OutputUploadStartTimestamp = Now();
        var stripper = new SandboxPathStripper(root);
        var result = new ActionResult { ExitCode = outcome.ExitCode };
        var collector = new OutputCollector(layout, stripper);
        collector.CollectInto(result);
        var stdout = BlobSource.FromBytes(ByteString.CopyFrom(stripper.Strip(outcome.Stdout)));
        var stderr = BlobSource.FromBytes(ByteString.CopyFrom(stripper.Strip(outcome.Stderr)));
        result.StdoutDigest = stdout.Digest;
        result.StderrDigest = stderr.Digest;
        if (stdout.Digest.SizeBytes <= InlineOutputLimit)
            result.StdoutRaw = stdout.Data;
        if (stderr.Digest.SizeBytes <= InlineOutputLimit)
            result.StderrRaw = stderr.Data;
        await store.UploadMissingAsync([.. collector.Blobs, stdout, stderr], cancelled);
        foreach (var output in collector.Blobs)
        {
            if (output.FilePath is { } file && outcome.ExitCode == 0)
                cache.Adopt(output.Digest, file);
        }
        metadata.OutputUploadCompletedTimestamp = Now();
        metadata.WorkerCompletedTimestamp = Now();
        result.ExecutionMetadata = metadata;
        return result;
    }

    /// <summary>The scheduler's timeout wins (it applied its default and cap); an Action's own is the fallback.</summary>
    private static TimeSpan? EffectiveTimeout(ExecuteJobRequest request)
    {
        var timeout = request.Timeout ?? request.Action?.Timeout;
        return timeout is null || timeout.ToTimeSpan() <= TimeSpan.Zero ? null : timeout.ToTimeSpan();
    }

    private static string Describe(Command command)
    {
        var arguments = command.Arguments;
        var crate = arguments.IndexOf("--crate-name") is var i and >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : "?";
        var type = arguments.IndexOf("--crate-type") is var j and >= 0 && j + 1 < arguments.Count ? arguments[j + 1] : "?";
        return $"rustc {crate} ({type})";
    }

    /// <summary>Job ids come from the network: keep the directory name to safe characters.</summary>
    internal static string DirectoryNameFor(string jobId)
    {
        var name = new string(jobId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return name is "" or "." or ".." ? "_" + name : name;
    }

    /// <summary>A killed rustc may have held jobserver tokens, and they went with it: later jobs get a full pipe.</summary>
    private void RenewJobserver()
    {
        try
        {
            jobserver.Renew();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The old pipe still works, with fewer tokens; the job's own report matters more.
            logger.LogWarning("Could not renew the rustc jobserver: {Error}", e.Message);
        }
    }

    private Timestamp Now() => Timestamp.FromDateTimeOffset(time.GetUtcNow());

    private void DeleteQuietly(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory))
                System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not delete job directory {Directory}: {Error}", directory, e.Message);
        }
    }
}
