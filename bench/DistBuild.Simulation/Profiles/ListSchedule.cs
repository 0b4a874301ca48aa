namespace DistBuild.Simulation.Profiles;

/// <summary>
/// Zero-overhead list scheduling of a crate graph on N single-slot workers, computed rather than run. With
/// <see cref="Order.Fifo"/> it is what a perfect first-come-first-served scheduler reaches (the scheduler's order
/// among equal priorities), and FIFO / bound is what that order costs. <see cref="Order.CriticalPathFirst"/> is
/// what the replay asks for: it sets each action's ExecutionPolicy.priority from the crate's remaining path, so
/// real / CP-first is the scheduler's own overhead.
/// </summary>
public static class ListSchedule
{
    public enum Order { Fifo, CriticalPathFirst }

    public static double Makespan(CrateGraph graph, int workers, Order order)
    {
        var remainingPath = graph.RemainingPathSeconds();
        var dependents = graph.Nodes.SelectMany(n => n.Dependencies.Select(d => (Dependency: d, Dependent: n)))
            .ToLookup(p => p.Dependency, p => p.Dependent);

        var waiting = graph.Nodes.ToDictionary(n => n.Id, n => n.Dependencies.Count);
        var ready = new List<(CrateNode Node, double ReadyAt, long Sequence)>();
        long sequence = 0;
        foreach (var node in graph.Nodes.Where(n => n.Dependencies.Count == 0))
            ready.Add((node, 0, sequence++));
        var running = new PriorityQueue<CrateNode, double>();
        var free = workers;
        var now = 0.0;
        var makespan = 0.0;
        while (ready.Count > 0 || running.Count > 0)
        {
            while (free > 0 && ready.Count > 0)
            {
                var next = order == Order.Fifo
                    ? ready.MinBy(r => (r.ReadyAt, r.Sequence))
                    : ready.MaxBy(r => remainingPath[r.Node.Id]);
                ready.Remove(next);
                running.Enqueue(next.Node, now + next.Node.Seconds);
                free--;
            }
            running.TryDequeue(out var finished, out var at);
            now = at;
            makespan = Math.Max(makespan, at);
            free++;
            foreach (var dependent in dependents[finished!.Id])
            {
                if (--waiting[dependent.Id] == 0)
                    ready.Add((dependent, now, sequence++));
            }
        }
        return makespan;
    }
}
