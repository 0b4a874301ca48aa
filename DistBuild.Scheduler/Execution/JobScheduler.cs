using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using DistBuild.Protocol.Toolchains;
using DistBuild.Protocol.Workers;
using WorkerRegistry = DistBuild.Scheduler.Workers.WorkerRegistry;
using DistBuild.Scheduler.ActionCache;
using DistBuild.Scheduler.Cas;
using DistBuild.Scheduler.Workers;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Status = Google.Rpc.Status;

namespace DistBuild.Scheduler.Execution;

/// <summary>
/// The job queue and its state machine, without any network: jobs are submitted (identical active actions
/// share one job), matched to live workers with a free slot and the right toolchain, started, finished,
/// requeued when a worker is lost or fails (up to <see cref="SchedulerOptions.MaxAttempts"/> starts),
/// and failed when they outlive their timeout. The calls to workers are made by <see cref="JobDispatcher"/>.
/// </summary>
public sealed class JobScheduler
{
    /// <summary>How long a worker that refused a job (busy or unreachable) is passed over.</summary>
    public static readonly TimeSpan RefusalBackoff = TimeSpan.FromSeconds(1);

    /// <summary>Heartbeats in a row that must miss a running job before the scheduler believes the worker lost it.</summary>
    public const int MissedHeartbeatsBeforeLoss = 2;

    // Worker refusals that say something about the job, not the worker: another worker would refuse it too.
    private static readonly StatusCode[] DeterministicRefusals = [StatusCode.InvalidArgument, StatusCode.PermissionDenied, StatusCode.FailedPrecondition];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Job> _activeByAction = new(StringComparer.Ordinal);
    private readonly List<Job> _pending = [];
    private readonly Queue<string> _finished = new();
    private readonly List<string> _order = [];
    private readonly Dictionary<string, DateTimeOffset> _passOver = new(StringComparer.Ordinal);
    // Jobs a worker was told to stop (timed out, cancelled) and has not yet confirmed stopping: until it does,
    // a report or a heartbeat without them, the worker may still be stuck in them and gets no new job.
    private readonly Dictionary<string, HashSet<string>> _quarantine = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly WorkerRegistry _workers;
    private readonly ActionCacheStore _cache;
    private readonly ContentStore _cas;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public JobScheduler(WorkerRegistry workers, ActionCacheStore cache, ContentStore cas, IOptions<SchedulerOptions> options, TimeProvider time, ILogger<JobScheduler> logger)
    {
        _workers = workers;
        _cache = cache;
        _cas = cas;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Jobs not yet finished.</summary>
    public int UnfinishedCount
    {
        get
        {
            lock (_gate)
                return _activeByAction.Count;
        }
    }

    public JobSnapshot? Get(string jobId)
    {
        lock (_gate)
            return _jobs.TryGetValue(jobId, out var job) ? job.Snapshot() : null;
    }

    /// <summary>The unfinished job for this action, if one exists, so an identical Execute can follow it.</summary>
    public JobSnapshot? FindActive(Digest actionDigest)
    {
        lock (_gate)
            return _activeByAction.TryGetValue(actionDigest.Key(), out var job) ? job.Snapshot() : null;
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<JobSnapshot> List(int limit)
    {
        lock (_gate)
        {
            var result = new List<JobSnapshot>(Math.Min(limit, _order.Count));
            for (var i = _order.Count - 1; i >= 0 && result.Count < limit; i--)
            {
                if (_jobs.TryGetValue(_order[i], out var job))
                    result.Add(job.Snapshot());
            }
            return result;
        }
    }

    /// <summary>The jobs a worker holds (assigned or running).</summary>
    public IReadOnlyList<string> JobsOn(string workerId)
    {
        lock (_gate)
            return _activeByAction.Values.Where(j => j.WorkerId == workerId && j.State is JobState.Assigned or JobState.Running).Select(j => j.Id).ToList();
    }

    /// <summary>
    /// Queues an action, or returns the unfinished job of an identical one. <paramref name="priority"/> is REAPI's
    /// ExecutionPolicy.priority: a lower value runs sooner; equal priorities run first come, first served.
    /// </summary>
    public JobSnapshot Submit(LoadedAction action, int priority = 0)
    {
        lock (_gate)
        {
            // REAPI: requests for a do_not_cache action may not be merged, so each gets its own job.
            if (!action.Action.DoNotCache && _activeByAction.TryGetValue(action.ActionDigest.Key(), out var existing))
                return existing.Snapshot();
            var job = new Job(NewJobId(), action.ActionDigest, _time.GetUtcNow())
            {
                Action = action,
                Description = action.Description,
                Platform = action.Platform,
                Priority = priority,
                State = JobState.Pending,
            };
            var workers = _workers.List();
            job.WaitingReason = WaitingReason(workers, workers.Where(w => w.CanRun(job.Platform)).ToList(), job.Platform);
            _jobs.Add(job.Id, job);
            _order.Add(job.Id);
            _activeByAction.Add(ActiveKey(job), job);
            InsertPendingLocked(job);
            _logger.LogInformation("Job {JobId} queued: {Description} ({Action})", job.Id, job.Description, Digests.Format(job.ActionDigest));
            Wake();
            return job.Snapshot();
        }
    }

    /// <summary>Records an action served from the action cache as a finished job, so it shows in the admin view.</summary>
    public JobSnapshot RecordCacheHit(Digest actionDigest, ActionResult result, string description)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var job = new Job(NewJobId(), actionDigest, now)
            {
                Description = description,
                Cached = true,
                State = JobState.Completed,
                FinishedAt = now,
                ExitCode = result.ExitCode,
                Response = new ExecuteResponse { Result = result, CachedResult = true, Status = RichStatus.Of(StatusCode.OK, "") },
            };
            _jobs.Add(job.Id, job);
            _order.Add(job.Id);
            RememberFinishedLocked(job);
            return job.Snapshot();
        }
    }

    /// <summary>
    /// Matches pending jobs (lowest priority value first, then oldest first) to live workers with a free slot whose platform includes the job's,
    /// marks them ASSIGNED, and returns the calls to make. Jobs that cannot be placed get a waiting reason.
    /// </summary>
    public IReadOnlyList<Assignment> AssignPending()
    {
        lock (_gate)
        {
            if (_pending.Count == 0)
                return [];
            var now = _time.GetUtcNow();
            var workers = _workers.List();
            var free = workers.ToDictionary(w => w.WorkerId, w => w.Slots - BusySlotsLocked(w.WorkerId));
            var assignments = new List<Assignment>();
            foreach (var job in _pending.ToList())
            {
                var capable = workers.Where(w => w.CanRun(job.Platform)).ToList();
                var available = capable.Where(w => free[w.WorkerId] > 0 && !PassedOverLocked(w.WorkerId, now) && !_quarantine.ContainsKey(w.WorkerId)).ToList();
                if (available.Count == 0)
                {
                    job.WaitingReason = WaitingReason(workers, capable, job.Platform);
                    continue;
                }
                // A retry goes to a worker it has not failed on, when one is free; otherwise it may wait for one.
                var fresh = available.Where(w => !job.FailedOn.Contains(w.WorkerId)).ToList();
                if (fresh.Count == 0 && capable.Any(w => !job.FailedOn.Contains(w.WorkerId) && !_quarantine.ContainsKey(w.WorkerId)))
                {
                    job.WaitingReason = "waiting for a free slot on a worker it has not failed on";
                    continue;
                }
                var worker = (fresh.Count > 0 ? fresh : available).MaxBy(w => free[w.WorkerId])!;
                free[worker.WorkerId]--;
                _pending.Remove(job);
                job.State = JobState.Assigned;
                job.WorkerId = worker.WorkerId;
                job.Attempts++;
                job.StartedAt = now;
                job.WaitingReason = "";
                job.MissedHeartbeats = 0;
                job.Changed();
                assignments.Add(new Assignment(job.Id, worker.WorkerId, worker.Address, RequestFor(job)));
                _logger.LogInformation("Job {JobId} assigned to worker {WorkerId} (attempt {Attempt})", job.Id, worker.WorkerId, job.Attempts);
            }
            return assignments;
        }
    }

    /// <summary>The worker accepted the job: it is RUNNING (unless its result already arrived).</summary>
    public void DispatchAccepted(Assignment assignment)
    {
        lock (_gate)
        {
            if (HeldByLocked(assignment.JobId, assignment.WorkerId) is { State: JobState.Assigned } job)
            {
                job.State = JobState.Running;
                job.Changed();
            }
        }
    }

    /// <summary>The worker could not take the job (no free slot, unreachable): queue it again without counting an attempt.</summary>
    public void DispatchRefused(Assignment assignment, string reason)
    {
        lock (_gate)
        {
            _passOver[assignment.WorkerId] = _time.GetUtcNow() + RefusalBackoff;
            if (HeldByLocked(assignment.JobId, assignment.WorkerId) is not { } job)
                return;
            _logger.LogInformation("Worker {WorkerId} did not take job {JobId}: {Reason}", assignment.WorkerId, job.Id, reason);
            job.Attempts--;
            RequeueLocked(job, $"worker {assignment.WorkerId} did not take it: {reason}");
        }
    }

    /// <summary>
    /// A worker's report. A result (whatever its exit code) finishes the job even when it comes from a worker
    /// that no longer holds it, since compiles are deterministic; the holder is then told to cancel.
    /// A non-OK status from the holder is an infrastructure failure of that attempt.
    /// </summary>
    public Cancellation? ReportResult(string workerId, string jobId, ActionResult? result, Status? status)
    {
        lock (_gate)
        {
            // Whatever it says, the worker is done with the job.
            ReleaseQuarantineLocked(workerId, jobId);
            if (!_jobs.TryGetValue(jobId, out var job) || job.IsDone)
                return null;
            if (result is not null && (status is null || status.Code == 0))
            {
                Cancellation? cancellation = null;
                if (job.WorkerId != workerId && job.State is JobState.Assigned or JobState.Running && _workers.Get(job.WorkerId) is { } holder)
                    cancellation = new Cancellation(job.Id, holder.WorkerId, holder.Address);
                job.WorkerId = workerId;
                CompleteLocked(job, result);
                return cancellation;
            }
            if (job.WorkerId != workerId || job.State is not (JobState.Assigned or JobState.Running))
                return null;
            status ??= RichStatus.Of(StatusCode.Internal, "the worker reported neither a result nor an error");
            FailAttemptLocked(job, status);
            return null;
        }
    }

    /// <summary>
    /// Outputs the worker holding the job reports final before the job ends; the streams following the job pass them
    /// on. False when the worker does not hold the job (any more): a late report of an attempt that lost the job.
    /// Throws <see cref="ArgumentException"/> for a path that is not an output path of the job's Command.
    /// </summary>
    public bool ReportEarlyOutputs(string workerId, string jobId, IReadOnlyCollection<OutputFile> outputs)
    {
        lock (_gate)
        {
            if (HeldByLocked(jobId, workerId) is not { } job)
                return false;
            var declared = SandboxPaths.DeclaredOutputs(job.Action!.Command).ToHashSet(StringComparer.Ordinal);
            if (outputs.FirstOrDefault(o => !declared.Contains(o.Path)) is { } undeclared)
                throw new ArgumentException($"'{undeclared.Path}' is not an output path of job {jobId}'s command");
            var added = false;
            foreach (var output in outputs)
            {
                // A retry on another worker reports the same outputs again; the clients have them already.
                if (job.EarlyOutputs.Any(o => o.Path == output.Path))
                    continue;
                job.EarlyOutputs.Add(output);
                added = true;
            }
            if (added)
                job.Changed();
            return true;
        }
    }

    /// <summary>The worker is gone: its jobs are queued again (each loss counts as an attempt).</summary>
    public void OnWorkerLost(string workerId, string reason)
    {
        lock (_gate)
        {
            _passOver.Remove(workerId);
            _quarantine.Remove(workerId);
            foreach (var job in _activeByAction.Values.Where(j => j.WorkerId == workerId && j.State is JobState.Assigned or JobState.Running).ToList())
                FailAttemptLocked(job, RichStatus.Of(StatusCode.Unavailable, reason));
            Wake();
        }
    }

    /// <summary>A worker (re-)registered: whatever it ran before is lost when it restarted.</summary>
    public void OnWorkerRegistered(string workerId, bool wasRegistered)
    {
        if (wasRegistered)
            OnWorkerLost(workerId, $"worker {workerId} registered again, so the jobs it ran were lost");
        lock (_gate)
        {
            _passOver.Remove(workerId);
            _quarantine.Remove(workerId);
            Wake();
        }
    }

    /// <summary>
    /// Reconciles a heartbeat's list of running jobs with what the scheduler believes the worker holds: a stopped
    /// job missing from the list releases the worker from quarantine; a running job missing from
    /// <see cref="MissedHeartbeatsBeforeLoss"/> heartbeats in a row was lost and counts as a failed attempt;
    /// a job the worker runs that it does not hold (finished elsewhere, cancelled, unknown after a restart) is
    /// returned as a cancellation to send.
    /// </summary>
    public IReadOnlyList<Cancellation> OnHeartbeat(string workerId, string workerAddress, IReadOnlyCollection<string> runningJobIds)
    {
        var running = runningJobIds.ToHashSet(StringComparer.Ordinal);
        var cancellations = new List<Cancellation>();
        lock (_gate)
        {
            if (_quarantine.TryGetValue(workerId, out var stopped))
            {
                foreach (var jobId in stopped.Where(id => !running.Contains(id)).ToList())
                    ReleaseQuarantineLocked(workerId, jobId);
            }
            foreach (var job in _activeByAction.Values.Where(j => j.WorkerId == workerId && j.State == JobState.Running).ToList())
            {
                if (running.Contains(job.Id))
                {
                    job.MissedHeartbeats = 0;
                    continue;
                }
                // One miss can be a race with a result on its way; several cannot.
                if (++job.MissedHeartbeats >= MissedHeartbeatsBeforeLoss)
                    FailAttemptLocked(job, RichStatus.Of(StatusCode.Unavailable, $"worker {workerId} no longer runs the job (its heartbeats stopped listing it)"));
            }
            foreach (var jobId in running)
            {
                var held = _jobs.TryGetValue(jobId, out var job) && !job.IsDone && job.WorkerId == workerId;
                if (!held && !(_quarantine.TryGetValue(workerId, out var pending) && pending.Contains(jobId)))
                    cancellations.Add(new Cancellation(jobId, workerId, workerAddress));
            }
        }
        return cancellations;
    }

    /// <summary>
    /// The client cancelled the operation (google.longrunning CancelOperation): the job fails with CANCELLED, its
    /// followers see that, and the worker holding it is told to stop. False when no such job exists.
    /// </summary>
    public bool Cancel(string jobId, out Cancellation? cancellation)
    {
        cancellation = null;
        lock (_gate)
        {
            if (!_jobs.TryGetValue(jobId, out var job))
                return false;
            if (job.IsDone)
                return true;
            if (job.State is JobState.Assigned or JobState.Running && _workers.Get(job.WorkerId) is { } worker)
            {
                cancellation = new Cancellation(job.Id, worker.WorkerId, worker.Address);
                QuarantineLocked(worker.WorkerId, job.Id);
            }
            var message = $"{job.Description}: the operation was cancelled by a client";
            _logger.LogInformation("Job {JobId} ({Description}) cancelled by a client", job.Id, job.Description);
            FailLocked(job, RichStatus.Of(StatusCode.Cancelled, message), message);
            return true;
        }
    }

    /// <summary>Fails the jobs that ran past their timeout; returns the cancellations to send to their workers.</summary>
    public IReadOnlyList<Cancellation> ExpireTimedOut()
    {
        var now = _time.GetUtcNow();
        var cancellations = new List<Cancellation>();
        lock (_gate)
        {
            foreach (var job in _activeByAction.Values.Where(j => j.State is JobState.Assigned or JobState.Running).ToList())
            {
                var timeout = job.Action!.Timeout;
                if (job.StartedAt is not { } started || now - started < timeout)
                    continue;
                if (_workers.Get(job.WorkerId) is { } worker)
                {
                    cancellations.Add(new Cancellation(job.Id, worker.WorkerId, worker.Address));
                    // The worker did not end the job itself: trust it with no other until it confirms it stopped.
                    QuarantineLocked(worker.WorkerId, job.Id);
                }
                var message = $"{job.Description}: the job exceeded its timeout of {timeout.TotalSeconds:0.###} s and was cancelled on worker {job.WorkerId}";
                _logger.LogWarning("Job {JobId} ({Description}) {Message}", job.Id, job.Description, message);
                FailLocked(job, RichStatus.Of(StatusCode.DeadlineExceeded, message), message);
            }
        }
        return cancellations;
    }

    /// <summary>Waits until there may be something to assign (a job queued, a worker arrived or freed a slot), or the timeout.</summary>
    public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);

    /// <summary>Wakes the dispatcher, e.g. when a worker registers.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
            _wake.Release();
    }

    private void FailAttemptLocked(Job job, Status status)
    {
        var failure = $"attempt {job.Attempts} on worker {job.WorkerId}: {(StatusCode)status.Code}: {status.Message}";
        job.FailedAttempts.Add(failure);
        job.FailedOn.Add(job.WorkerId);
        _logger.LogWarning("Job {JobId} ({Description}) failed {Failure}", job.Id, job.Description, failure);
        if (RemoteExecutor.MissingBlobs(status).Count > 0)
        {
            // Running it elsewhere cannot help: the client must upload the missing inputs and execute again.
            FailLocked(job, status, $"inputs are missing from the CAS: {status.Message}");
            return;
        }
        if (status.Code == (int)StatusCode.DeadlineExceeded)
        {
            // The worker enforced the same timeout the scheduler does; running it again would time out again.
            var message = $"{job.Description}: the job exceeded its timeout of {job.Action!.Timeout.TotalSeconds:0.###} s and was cancelled on worker {job.WorkerId}";
            FailLocked(job, RichStatus.Of(StatusCode.DeadlineExceeded, message), message);
            return;
        }
        if (DeterministicRefusals.Contains((StatusCode)status.Code))
        {
            // The worker refused the job itself (bad input, a command it may not run): every worker would.
            var message = $"{job.Description}: refused by worker {job.WorkerId}: {(StatusCode)status.Code}: {status.Message}";
            FailLocked(job, RichStatus.Of((StatusCode)status.Code, message), message);
            return;
        }
        if (job.Attempts >= _options.MaxAttempts)
        {
            var message = $"{job.Description}: gave up after {job.Attempts} attempt(s): {string.Join("; ", job.FailedAttempts)}";
            FailLocked(job, RichStatus.Of((StatusCode)status.Code, message), message);
            return;
        }
        RequeueLocked(job, $"queued again after {failure}");
    }

    private void QuarantineLocked(string workerId, string jobId)
    {
        if (!_quarantine.TryGetValue(workerId, out var jobs))
            _quarantine[workerId] = jobs = new HashSet<string>(StringComparer.Ordinal);
        if (jobs.Add(jobId))
            _logger.LogWarning("Worker {WorkerId} gets no new job until it confirms that job {JobId} stopped", workerId, jobId);
    }

    private void ReleaseQuarantineLocked(string workerId, string jobId)
    {
        if (!_quarantine.TryGetValue(workerId, out var jobs) || !jobs.Remove(jobId))
            return;
        if (jobs.Count == 0)
        {
            _quarantine.Remove(workerId);
            _logger.LogInformation("Worker {WorkerId} confirmed that job {JobId} stopped; it takes jobs again", workerId, jobId);
            Wake();
        }
    }

    /// <summary>True while the worker has not confirmed stopping a job it was told to stop.</summary>
    public bool IsQuarantined(string workerId)
    {
        lock (_gate)
            return _quarantine.ContainsKey(workerId);
    }

    /// <summary>
    /// Keeps the queue in the order jobs are served: by priority, then by submission time. A job goes after every
    /// job that is not later than it, so equal ones stay first come, first served (a requeued job keeps its place).
    /// </summary>
    private void InsertPendingLocked(Job job)
    {
        var index = _pending.Count;
        while (index > 0 && (_pending[index - 1].Priority, _pending[index - 1].CreatedAt).CompareTo((job.Priority, job.CreatedAt)) > 0)
            index--;
        _pending.Insert(index, job);
    }

    private void RequeueLocked(Job job, string reason)
    {
        job.State = JobState.Pending;
        job.WorkerId = "";
        job.StartedAt = null;
        job.WaitingReason = reason;
        InsertPendingLocked(job);
        job.Changed();
        Wake();
    }

    private void CompleteLocked(Job job, ActionResult result)
    {
        var action = job.Action!;
        job.ExitCode = result.ExitCode;
        // The client learns the attempts from the result it gets; the action cache keeps the worker's result as it came.
        var reported = result.Clone();
        reported.ExecutionMetadata ??= new ExecutedActionMetadata();
        reported.ExecutionMetadata.AuxiliaryMetadata.Add(Any.Pack(new JobAttempts { Attempts = job.Attempts }));
        job.Response = new ExecuteResponse { Result = reported, Status = RichStatus.Of(StatusCode.OK, "") };
        if (result.ExitCode == 0)
        {
            job.State = JobState.Completed;
            // Only successes are cached: a failed compile must run again once its inputs change, and do_not_cache is the client's wish.
            if (!action.Action.DoNotCache)
                _cache.Put(job.ActionDigest, result);
        }
        else
        {
            job.State = JobState.Failed;
            job.Error = CompilerOutput.ErrorText(result, _cas);
        }
        _logger.LogInformation("Job {JobId} ({Description}) finished on worker {WorkerId} with exit code {ExitCode}", job.Id, job.Description, job.WorkerId, result.ExitCode);
        FinishLocked(job);
    }

    private void FailLocked(Job job, Status status, string error)
    {
        job.State = JobState.Failed;
        job.Error = error;
        job.Response = new ExecuteResponse { Status = status, Message = error };
        FinishLocked(job);
    }

    private void FinishLocked(Job job)
    {
        job.FinishedAt = _time.GetUtcNow();
        job.WaitingReason = "";
        _pending.Remove(job);
        _activeByAction.Remove(ActiveKey(job));
        RememberFinishedLocked(job);
        job.Changed();
        Wake();
    }

    private void RememberFinishedLocked(Job job)
    {
        _finished.Enqueue(job.Id);
        while (_finished.Count > _options.JobHistory)
        {
            var oldest = _finished.Dequeue();
            _jobs.Remove(oldest);
        }
        if (_order.Count > _jobs.Count * 2 + 1024)
            _order.RemoveAll(id => !_jobs.ContainsKey(id));
    }

    private Job? HeldByLocked(string jobId, string workerId) =>
        _jobs.TryGetValue(jobId, out var job) && !job.IsDone && job.WorkerId == workerId ? job : null;

    private int BusySlotsLocked(string workerId) =>
        _activeByAction.Values.Count(j => j.WorkerId == workerId && j.State is JobState.Assigned or JobState.Running);

    private bool PassedOverLocked(string workerId, DateTimeOffset now) =>
        _passOver.TryGetValue(workerId, out var until) && now < until;

    private static string WaitingReason(IReadOnlyList<RegisteredWorker> workers, IReadOnlyList<RegisteredWorker> capable, Platform platform)
    {
        if (workers.Count == 0)
            return $"no worker is registered; the job starts when one with the toolchain it needs ({RustToolchain.Describe(platform)}) registers";
        if (capable.Count == 0)
            return $"no registered worker has the toolchain it needs ({RustToolchain.Describe(platform)})";
        return "waiting for a free slot on a worker with the toolchain it needs";
    }

    private ExecuteJobRequest RequestFor(Job job)
    {
        var action = job.Action!;
        return new ExecuteJobRequest
        {
            JobId = job.Id,
            InstanceName = _options.InstanceName,
            ActionDigest = job.ActionDigest,
            Action = action.Action,
            Command = action.Command,
            Timeout = Duration.FromTimeSpan(action.Timeout),
            Attempt = job.Attempts,
        };
    }

    private static string ActiveKey(Job job) =>
        job.Action?.Action.DoNotCache == true ? $"{job.ActionDigest.Key()}#{job.Id}" : job.ActionDigest.Key();

    private static string NewJobId() => Guid.NewGuid().ToString("N");
}
