using DistBuild.Protocol.Workers;
using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Tests.Support;
using DistBuild.Scheduler.Workers;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace DistBuild.Scheduler.Tests.Execution;

public sealed class JobDispatcherTests
{
    [Fact]
    public async Task Job_refused_by_a_full_worker_goes_to_another_worker()
    {
        var parts = new SchedulerParts();
        var workers = new ScriptedWorkers { Full = { "full" } };
        var dispatcher = new JobDispatcher(parts.Scheduler, workers, NullLogger<JobDispatcher>.Instance);
        parts.RegisterWorker("full", slots: 4);
        var job = parts.Scheduler.Submit(SchedulerParts.Action());

        await dispatcher.DispatchAsync(CancellationToken.None);
        Assert.Equal(JobState.Pending, parts.Scheduler.Get(job.Id)!.State);

        parts.RegisterWorker("free", slots: 1);
        await dispatcher.DispatchAsync(CancellationToken.None);

        var running = parts.Scheduler.Get(job.Id)!;
        Assert.Equal((JobState.Running, "free", 1), (running.State, running.WorkerId, running.Attempts));
        Assert.Equal(["full", "free"], workers.Calls.Select(c => c.Address.Split('/')[^1]));
    }

    [Fact]
    public async Task Unreachable_worker_leaves_the_job_queued_with_the_reason()
    {
        var parts = new SchedulerParts();
        var workers = new ScriptedWorkers { Unreachable = { "down" } };
        var dispatcher = new JobDispatcher(parts.Scheduler, workers, NullLogger<JobDispatcher>.Instance);
        parts.RegisterWorker("down");
        var job = parts.Scheduler.Submit(SchedulerParts.Action());

        await dispatcher.DispatchAsync(CancellationToken.None);

        var pending = parts.Scheduler.Get(job.Id)!;
        Assert.Equal((JobState.Pending, 0), (pending.State, pending.Attempts));
        Assert.Contains("unreachable", pending.WaitingReason);
    }

    private sealed class ScriptedWorkers : IWorkerClient
    {
        public HashSet<string> Full { get; } = [];
        public HashSet<string> Unreachable { get; } = [];
        public List<(string Address, ExecuteJobRequest Request)> Calls { get; } = [];

        public Task ExecuteJobAsync(string address, ExecuteJobRequest request, CancellationToken cancellationToken)
        {
            Calls.Add((address, request));
            var id = address.Split('/')[^1];
            if (Full.Contains(id))
                throw new RpcException(new Status(StatusCode.ResourceExhausted, "no free slot"));
            if (Unreachable.Contains(id))
                throw new RpcException(new Status(StatusCode.Unavailable, "connection refused"));
            return Task.CompletedTask;
        }

        public Task CancelJobAsync(string address, string jobId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
