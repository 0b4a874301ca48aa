using Build.Bazel.Remote.Execution.V2;
using DistBuild.BadInput.Tests.Support;
using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Workers;
using Grpc.Core;

namespace DistBuild.BadInput.Tests.Scheduler;

/// <summary>distbuild.v1.WorkerRegistry and Admin with missing fields and unknown ids.</summary>
[Collection(FarmCollection.Name)]
public sealed class WorkerRegistryAndAdminTests(Farm farm)
{
    public static TheoryData<string, string, int, string> BadRegistrations() => new()
    {
        { "", "http://127.0.0.1:1", 1, "worker_id is empty" },
        { "   ", "http://127.0.0.1:1", 1, "worker_id is empty" },
        { "w", "", 1, "address" },
        { "w", "not a url", 1, "not a url" },
        { "w", "ftp://127.0.0.1:21", 1, "http://" },
        { "w", "/relative/path", 1, "http://" },
        { "w", "http://127.0.0.1:1", 0, "slots" },
        { "w", "http://127.0.0.1:1", -3, "slots" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task Registration_with_a_missing_or_bad_field_is_invalid_argument_naming_it(string id, string address, int slots, string fragment)
    {
        await Refusal.AssertAsync(StatusCode.InvalidArgument,
            () => farm.Registry.RegisterWorkerAsync(new RegisterWorkerRequest { WorkerId = id, Address = address, Slots = slots }, deadline: Deadlines.Short()).ResponseAsync,
            fragment);

        var workers = await farm.Admin.ListWorkersAsync(new ListWorkersRequest(), deadline: Deadlines.Short());
        Assert.Equal(["bad-input-worker"], workers.Workers.Select(w => w.WorkerId));
    }

    [Fact]
    public async Task Heartbeat_of_an_unknown_worker_answers_not_registered_so_it_registers_again()
    {
        var response = await farm.Registry.HeartbeatAsync(new HeartbeatRequest { WorkerId = "never-registered" }, deadline: Deadlines.Short());

        Assert.False(response.Registered);
    }

    [Fact]
    public async Task Heartbeat_without_a_worker_id_is_invalid_argument()
    {
        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => farm.Registry.HeartbeatAsync(new HeartbeatRequest(), deadline: Deadlines.Short()).ResponseAsync, "worker_id is empty");
    }

    public static TheoryData<string, string, bool, bool, StatusCode, string> BadReports() => new()
    {
        { "", "job", true, false, StatusCode.InvalidArgument, "worker_id is empty" },
        { "bad-input-worker", "", true, false, StatusCode.InvalidArgument, "job_id is empty" },
        { "bad-input-worker", "job", false, false, StatusCode.InvalidArgument, "a result or a non-OK status" },
        { "bad-input-worker", "no-such-job", true, false, StatusCode.NotFound, "no-such-job" },
        { "bad-input-worker", "no-such-job", false, true, StatusCode.NotFound, "no-such-job" },
        { "stranger", "no-such-job", true, false, StatusCode.NotFound, "no-such-job" },
    };

    [Theory]
    [MemberData(nameof(BadReports))]
    public async Task Report_with_missing_fields_or_for_an_unknown_job_is_refused(string worker, string job, bool withResult, bool withError, StatusCode code, string fragment)
    {
        var request = new ReportJobResultRequest { WorkerId = worker, JobId = job };
        if (withResult)
            request.Result = new ActionResult { ExitCode = 0 };
        if (withError)
            request.Status = new Google.Rpc.Status { Code = (int)StatusCode.Internal, Message = "boom" };

        await Refusal.AssertAsync(code, () => farm.Registry.ReportJobResultAsync(request, deadline: Deadlines.Short()).ResponseAsync, fragment);
        await farm.AssertHealthyAsync();
    }

    public static TheoryData<string, string, string?, StatusCode, string> BadEarlyOutputs() => new()
    {
        { "", "job", "present", StatusCode.InvalidArgument, "worker_id is empty" },
        { "bad-input-worker", "", "present", StatusCode.InvalidArgument, "job_id is empty" },
        { "bad-input-worker", "job", null, StatusCode.InvalidArgument, "at least one output file" },
        { "bad-input-worker", "job", "malformed", StatusCode.InvalidArgument, "digest of early output 'out/libx.rmeta'" },
        { "bad-input-worker", "job", "absent", StatusCode.FailedPrecondition, "'out/libx.rmeta' is not in the CAS" },
        { "bad-input-worker", "no-such-job", "present", StatusCode.NotFound, "no-such-job" },
    };

    [Theory]
    [MemberData(nameof(BadEarlyOutputs))]
    public async Task Early_outputs_with_missing_fields_a_blob_not_stored_or_for_an_unknown_job_are_refused(string worker, string job, string? blob, StatusCode code, string fragment)
    {
        var request = new ReportEarlyOutputsRequest { WorkerId = worker, JobId = job };
        if (blob is not null)
        {
            var digest = blob switch
            {
                "present" => await farm.StoreAsync(Google.Protobuf.ByteString.CopyFromUtf8("early rmeta")),
                "absent" => DistBuild.Protocol.Digests.Digests.Compute("never stored"u8),
                _ => new Digest { Hash = "not-a-hash", SizeBytes = 3 },
            };
            request.OutputFiles.Add(new OutputFile { Path = "out/libx.rmeta", Digest = digest });
        }

        await Refusal.AssertAsync(code, () => farm.Registry.ReportEarlyOutputsAsync(request, deadline: Deadlines.Short()).ResponseAsync, fragment);
        await farm.AssertHealthyAsync();
    }

    [Theory]
    [InlineData("no-such-job", StatusCode.NotFound, "no job 'no-such-job'")]
    [InlineData("", StatusCode.InvalidArgument, "job_id is empty")]
    public async Task GetJob_of_an_unknown_or_empty_id_is_refused(string id, StatusCode code, string fragment)
    {
        await Refusal.AssertAsync(code, () => farm.Admin.GetJobAsync(new GetJobRequest { JobId = id }, deadline: Deadlines.Short()).ResponseAsync, fragment);
    }

    [Fact]
    public async Task ListJobs_with_a_negative_limit_is_invalid_argument_and_a_huge_one_is_capped()
    {
        await Refusal.AssertAsync(StatusCode.InvalidArgument, () => farm.Admin.ListJobsAsync(new ListJobsRequest { Limit = -1 }, deadline: Deadlines.Short()).ResponseAsync, "limit -1");

        var all = await farm.Admin.ListJobsAsync(new ListJobsRequest { Limit = int.MaxValue }, deadline: Deadlines.Short());
        Assert.NotNull(all);
    }
}
