using DistBuild.Protocol.Admin;
using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Workers;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Job = DistBuild.Protocol.Admin.Job;
using JobState = DistBuild.Scheduler.Execution.JobState;

namespace DistBuild.Scheduler.Admin;

/// <summary>distbuild.v1.Admin: what the `distbuild` CLI shows about workers and jobs.</summary>
public sealed class AdminService(WorkerRegistry registry, JobScheduler scheduler) : Protocol.Admin.Admin.AdminBase
{
    private const int DefaultJobLimit = 100;

    public override Task<ListWorkersResponse> ListWorkers(ListWorkersRequest request, ServerCallContext context)
    {
        var response = new ListWorkersResponse();
        foreach (var worker in registry.List())
        {
            var running = scheduler.JobsOn(worker.WorkerId);
            response.Workers.Add(new Worker
            {
                WorkerId = worker.WorkerId,
                Address = worker.Address,
                Slots = worker.Slots,
                BusySlots = running.Count,
                Platform = worker.Platform,
                RegisteredAt = Timestamp.FromDateTimeOffset(worker.RegisteredAt),
                LastHeartbeat = Timestamp.FromDateTimeOffset(worker.LastHeartbeat),
                RunningJobIds = { running },
            });
        }
        return Task.FromResult(response);
    }

    public override Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        if (request.Limit < 0)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"limit {request.Limit} is negative"));
        var response = new ListJobsResponse();
        response.Jobs.AddRange(scheduler.List(request.Limit == 0 ? DefaultJobLimit : request.Limit).Select(ToMessage));
        return Task.FromResult(response);
    }

    public override Task<Job> GetJob(GetJobRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.JobId))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "job_id is empty"));
        var job = scheduler.Get(request.JobId)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no job '{request.JobId}' (finished jobs are kept for a while, then forgotten)"));
        return Task.FromResult(ToMessage(job));
    }

    public static Job ToMessage(JobSnapshot job)
    {
        var message = new Job
        {
            JobId = job.Id,
            State = job.State switch
            {
                JobState.Pending => Protocol.Admin.JobState.Pending,
                JobState.Assigned => Protocol.Admin.JobState.Assigned,
                JobState.Running => Protocol.Admin.JobState.Running,
                JobState.Completed => Protocol.Admin.JobState.Completed,
                _ => Protocol.Admin.JobState.Failed,
            },
            ActionDigest = job.ActionDigest,
            Description = job.Description,
            WorkerId = job.WorkerId,
            Attempts = job.Attempts,
            CreatedAt = Timestamp.FromDateTimeOffset(job.CreatedAt),
            ExitCode = job.ExitCode,
            Cached = job.Cached,
            Error = job.Error,
            Platform = job.Platform,
            WaitingReason = job.WaitingReason,
        };
        if (job.StartedAt is { } started)
            message.StartedAt = Timestamp.FromDateTimeOffset(started);
        if (job.FinishedAt is { } finished)
            message.FinishedAt = Timestamp.FromDateTimeOffset(finished);
        return message;
    }
}
