using System.Diagnostics;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using DistBuild.Simulation.Profiles;
using DistBuild.Simulation.Workers;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace DistBuild.Simulation.Driving;

/// <summary>
/// The client side of a simulated build: submits each crate's action to the scheduler through REAPI Execute
/// (as the coordinator does) as soon as every crate it depends on is done, and measures the makespan.
/// </summary>
public sealed class GraphReplay(GrpcChannel channel, string instanceName)
{
    private readonly CasClient _cas = new(channel, instanceName);
    private readonly RemoteExecutor _executor = new(channel);

    /// <summary>Replays the graph once; actions are salted with a fresh id so no run hits the previous one's cache.</summary>
    public async Task<TimeSpan> RunAsync(CrateGraph graph, CancellationToken cancellationToken)
    {
        var salt = Guid.NewGuid().ToString("N");
        var actions = new Dictionary<string, Digest>();
        var blobs = new List<BlobSource>();
        var emptyDirectory = new Build.Bazel.Remote.Execution.V2.Directory().ToByteString();
        blobs.Add(BlobSource.FromBytes(emptyDirectory));
        foreach (var node in graph.Nodes)
        {
            var command = new Command { WorkingDirectory = "" };
            command.Arguments.AddRange(["rustc", "--crate-name", node.Name]);
            command.EnvironmentVariables.Add(new Command.Types.EnvironmentVariable
            {
                Name = SimulatedJobs.DurationVariable,
                Value = (node.Seconds * 1000).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
            });
            var commandBytes = command.ToByteString();
            var action = new Build.Bazel.Remote.Execution.V2.Action
            {
                CommandDigest = Digests.Compute(commandBytes.Span),
                InputRootDigest = Digests.Compute(emptyDirectory.Span),
                Timeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)),
                Salt = ByteString.CopyFromUtf8(salt),
            };
            var actionBytes = action.ToByteString();
            blobs.Add(BlobSource.FromBytes(commandBytes));
            blobs.Add(BlobSource.FromBytes(actionBytes));
            actions[node.Id] = Digests.Compute(actionBytes.Span);
        }
        // Inputs are uploaded before the clock starts: the simulation measures scheduling, not transfers.
        await _cas.UploadMissingAsync(blobs, cancellationToken);

        var remaining = graph.Nodes.ToDictionary(n => n.Id, n => n.Dependencies.Count);
        var dependents = graph.Nodes.SelectMany(n => n.Dependencies.Select(d => (Dependency: d, Dependent: n.Id)))
            .ToLookup(p => p.Dependency, p => p.Dependent);
        // Critical path first: REAPI's priority runs lower values sooner, so the longest remaining path gets the lowest.
        var priorities = graph.RemainingPathSeconds().ToDictionary(p => p.Key, p => -(int)Math.Round(p.Value * 1000));
        var finished = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopwatch = Stopwatch.StartNew();

        async Task RunCrateAsync(string id)
        {
            try
            {
                await ExecuteAsync(actions[id], priorities[id], id, cancellationToken);
                var ready = new List<string>();
                lock (remaining)
                {
                    foreach (var dependent in dependents[id])
                    {
                        if (--remaining[dependent] == 0)
                            ready.Add(dependent);
                    }
                }
                foreach (var next in ready)
                    _ = RunCrateAsync(next);
                if (Interlocked.Increment(ref finished) == graph.Nodes.Count)
                    done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }

        foreach (var root in graph.Nodes.Where(n => n.Dependencies.Count == 0).ToList())
            _ = RunCrateAsync(root.Id);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(30), cancellationToken);
        return stopwatch.Elapsed;
    }

    private async Task ExecuteAsync(Digest action, int priority, string crate, CancellationToken cancellationToken)
    {
        var request = new ExecuteRequest
        {
            InstanceName = instanceName,
            ActionDigest = action,
            SkipCacheLookup = true,
            DigestFunction = DigestFunction.Types.Value.Sha256,
            ExecutionPolicy = new ExecutionPolicy { Priority = priority },
        };
        var response = await _executor.ExecuteAsync(request,
            (missing, ct) => throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the scheduler lost {missing.Count} uploaded blob(s)")),
            null, cancellationToken);
        if (response.Status is { Code: not 0 } status)
            throw new InvalidOperationException($"the action of {crate} failed: {(StatusCode)status.Code}: {status.Message}");
        if (response.Result is null || response.Result.ExitCode != 0)
            throw new InvalidOperationException($"the action of {crate} returned no successful result");
    }
}
