using System.CommandLine;
using Build.Bazel.Remote.Execution.V2;
using Command = System.CommandLine.Command;
using DistBuild.Cli.Jobs;
using DistBuild.Cli.Output;
using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Digests;
using Grpc.Core;

namespace DistBuild.Cli.Commands;

/// <summary>`job submit DIGEST …` compiles one Rust file from the CAS on a worker; `job status ID [--json]` shows a job.</summary>
public static class JobCommands
{
    public static readonly IReadOnlyList<int> Editions = [2015, 2018, 2021, 2024];

    public static Command Create(CliSession session) =>
        new("job", "Submit a compile job, or look at one") { CreateSubmit(session), CreateStatus(session) };

    private static Command CreateSubmit(CliSession session)
    {
        var source = new Argument<string>("digest") { Description = "HASH/SIZE of the Rust source file, as `cas put` printed it" };
        var crateType = new Option<string>("--crate-type") { Description = "What rustc builds", DefaultValueFactory = _ => "bin", HelpName = "bin|lib" };
        crateType.AcceptOnlyFromAmong([.. SingleFileJob.CrateTypes]);
        var edition = new Option<int>("--edition") { Description = "Rust edition", DefaultValueFactory = _ => 2021, HelpName = "YEAR" };
        edition.Validators.Add(result =>
        {
            var year = result.GetValueOrDefault<int>();
            if (!Editions.Contains(year))
                result.AddError($"edition {year} does not exist: use {string.Join(", ", Editions)}");
        });
        var crateName = new Option<string>("--crate-name") { Description = "Crate name, which also names the output file", DefaultValueFactory = _ => "main", HelpName = "NAME" };
        var timeout = new Option<int?>("--timeout") { Description = "Cancel the job after this many seconds (default: the scheduler's)", HelpName = "SECONDS" };
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
                result.AddError("--timeout must be a positive number of seconds");
        });

        var submit = new Command("submit", "Compiles one Rust source file from the CAS on a worker; prints the job id and returns at once")
        {
            source, crateType, edition, crateName, timeout,
        };
        submit.SetAction(CommandActions.Guarded(session, async (parseResult, cancellationToken) =>
        {
            var digest = ParseDigest(parseResult.GetValue(source)!);
            var seconds = parseResult.GetValue(timeout);
            SingleFileJob job;
            try
            {
                job = SingleFileJob.Create(digest, parseResult.GetValue(crateName)!, parseResult.GetValue(crateType)!, parseResult.GetValue(edition),
                    seconds is { } value ? TimeSpan.FromSeconds(value) : null);
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }

            using var connection = session.Connect(parseResult);
            var missing = await connection.Cas.FindMissingAsync([digest], cancellationToken);
            if (missing.Count > 0)
                throw new CliException($"blob {Digests.Format(digest)} is not in the CAS; upload the source first with `distbuild cas put FILE`");
            await connection.Cas.UploadMissingAsync(job.Blobs, cancellationToken);

            var jobId = await StartExecutionAsync(connection, job.ActionDigest, cancellationToken);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(jobId);
            return CommandActions.Success;
        }));
        return submit;
    }

    /// <summary>
    /// Calls Execute and returns the operation name from its first Operation, without waiting for the result:
    /// REAPI operations outlive the stream, and the job id is that name.
    /// </summary>
    private static async Task<string> StartExecutionAsync(SchedulerConnection connection, Digest actionDigest, CancellationToken cancellationToken)
    {
        var request = new ExecuteRequest
        {
            InstanceName = SchedulerConnection.InstanceName,
            ActionDigest = actionDigest,
            DigestFunction = DigestFunction.Types.Value.Sha256,
        };
        using var call = connection.Execution.Execute(request, deadline: SchedulerConnection.Deadline, cancellationToken: cancellationToken);
        if (!await call.ResponseStream.MoveNext(cancellationToken))
            throw new CliException("the scheduler accepted the job but sent no operation");
        var operation = call.ResponseStream.Current;
        if (operation.Done && operation.Error is { Code: not 0 } error)
            throw new CliException($"the scheduler refused the job: {error.Message}");
        // Missing inputs finish the request before it becomes a job, so its operation name is no job id.
        if (operation.Done && operation.Response?.TryUnpack<ExecuteResponse>(out var response) == true
            && response.Status is { Code: (int)StatusCode.FailedPrecondition } missing)
            throw new CliException($"the scheduler lacks inputs of the job: {missing.Message}");
        return operation.Name;
    }

    private static Command CreateStatus(CliSession session)
    {
        var id = new Argument<string>("id") { Description = "Job id, as `job submit` or `jobs list` printed it" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text" };
        var status = new Command("status", "Shows a job: state, worker, attempts, times, exit code, cache hit and error text") { id, json };
        status.SetAction(CommandActions.Guarded(session, async (parseResult, cancellationToken) =>
        {
            var jobId = parseResult.GetValue(id)!;
            using var connection = session.Connect(parseResult);
            Job job;
            try
            {
                job = await connection.Admin.GetJobAsync(new GetJobRequest { JobId = jobId }, deadline: SchedulerConnection.Deadline, cancellationToken: cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                throw new CliException($"no job with id '{jobId}'");
            }
            var view = JobView.From(job);
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json))
                JobOutput.WriteJson(output, view);
            else
                JobOutput.WriteDetails(output, view, DateTimeOffset.UtcNow);
            return CommandActions.Success;
        }));
        return status;
    }

    internal static Digest ParseDigest(string text) =>
        Digests.TryParse(text, out var digest, out var error) ? digest : throw new CliException(error);
}
