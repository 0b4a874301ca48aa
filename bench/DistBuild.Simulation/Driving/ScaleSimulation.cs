using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Channels;
using DistBuild.Simulation.Profiles;
using DistBuild.Simulation.Workers;
using DistBuild.Testing;

namespace DistBuild.Simulation.Driving;

/// <summary>How one worker count fared: the makespan against the best any scheduler could do.</summary>
public sealed record ScaleResult(int Workers, double MakespanSeconds, double CriticalPathSeconds, double TotalOverWorkersSeconds, double BoundSeconds, double Ratio,
    double IdealFifoSeconds, double IdealCriticalPathFirstSeconds, int JobsSeenByWorkers)
{
    /// <summary>Real makespan over a zero-overhead first-come-first-served schedule: the scheduler's own cost.</summary>
    /// <summary>The replay asks for critical-path-first order, so the zero-overhead CP-first schedule is what it is compared with.</summary>
    public double OverheadRatio => MakespanSeconds / IdealCriticalPathFirstSeconds;
}

/// <summary>
/// For each worker count: a fresh real scheduler (a child process, as in the integration tests), that many
/// single-slot simulated workers registered with it, a warm-up replay, and one timed replay of the graph.
/// </summary>
public sealed class ScaleSimulation(TextWriter log)
{
    public async Task<List<ScaleResult>> RunAsync(CrateGraph graph, IEnumerable<int> workerCounts, CancellationToken cancellationToken)
    {
        var results = new List<ScaleResult>();
        foreach (var count in workerCounts)
        {
            await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");
            var workers = new List<SimulatedWorker>();
            try
            {
                for (var i = 0; i < count; i++)
                    workers.Add(await SimulatedWorker.StartAsync(scheduler.Url, $"sim-{i + 1}", 1, new Platform(), cancellationToken));
                using var channel = GrpcChannels.Create(scheduler.Url);
                // One untimed replay with zero durations first: a scheduler is a long-running service, and the
                // first calls through it (JIT, connection set-up) are not what a build sees in steady state.
                await new GraphReplay(channel, "").RunAsync(graph.Scaled(0), cancellationToken);
                var makespan = (await new GraphReplay(channel, "").RunAsync(graph, cancellationToken)).TotalSeconds;
                var bound = graph.LowerBound(count);
                var result = new ScaleResult(count, makespan, graph.CriticalPathSeconds, graph.TotalSeconds / count, bound, makespan / bound,
                    ListSchedule.Makespan(graph, count, ListSchedule.Order.Fifo), ListSchedule.Makespan(graph, count, ListSchedule.Order.CriticalPathFirst),
                    workers.Sum(w => w.Jobs.Executed));
                results.Add(result);
                log.WriteLine($"  {count,3} workers: makespan {makespan,7:F3} s, bound {bound,7:F3} s, ratio {result.Ratio:F3}, ideal FIFO {result.IdealFifoSeconds:F3} s");
            }
            finally
            {
                foreach (var worker in workers)
                    await worker.DisposeAsync();
            }
        }
        return results;
    }
}
