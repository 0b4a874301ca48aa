using Build.Bazel.Remote.Execution.V2;
using Microsoft.Extensions.Logging;

namespace DistBuild.Scheduler.Workers;

/// <summary>The workers that registered and still heartbeat: who they are, where to call them, what they can run.</summary>
public sealed class WorkerRegistry(TimeProvider time, ILogger<WorkerRegistry> logger)
{
    private readonly Dictionary<string, RegisteredWorker> _workers = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces a worker; true when a worker with that id was already registered (it restarted or re-registered).</summary>
    public bool Register(string workerId, string address, int slots, Platform platform)
    {
        var now = time.GetUtcNow();
        bool known;
        lock (_workers)
        {
            known = _workers.ContainsKey(workerId);
            _workers[workerId] = new RegisteredWorker(workerId, address, slots, platform.Clone(), now, now);
        }
        logger.LogInformation("Worker {WorkerId} registered at {Address} with {Slots} slots ({Toolchain})",
            workerId, address, slots, Protocol.Toolchains.RustToolchain.Describe(platform));
        return known;
    }

    /// <summary>Records a heartbeat; false when the worker is unknown and must register again.</summary>
    public bool Heartbeat(string workerId)
    {
        lock (_workers)
        {
            if (!_workers.TryGetValue(workerId, out var worker))
                return false;
            _workers[workerId] = worker with { LastHeartbeat = time.GetUtcNow() };
            return true;
        }
    }

    public RegisteredWorker? Get(string workerId)
    {
        lock (_workers)
            return _workers.GetValueOrDefault(workerId);
    }

    public IReadOnlyList<RegisteredWorker> List()
    {
        lock (_workers)
            return _workers.Values.OrderBy(w => w.WorkerId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Removes and returns the workers whose last heartbeat is older than <paramref name="timeout"/>.</summary>
    public IReadOnlyList<RegisteredWorker> RemoveSilent(TimeSpan timeout)
    {
        var now = time.GetUtcNow();
        lock (_workers)
        {
            var silent = _workers.Values.Where(w => now - w.LastHeartbeat >= timeout).ToList();
            foreach (var worker in silent)
                _workers.Remove(worker.WorkerId);
            return silent;
        }
    }
}
