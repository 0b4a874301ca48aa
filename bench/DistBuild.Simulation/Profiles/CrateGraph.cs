using System.Text.Json;

namespace DistBuild.Simulation.Profiles;

/// <summary>One crate of a build: how long it took to compile and which crates it waited for.</summary>
public sealed record CrateNode(string Id, string Name, double Seconds, IReadOnlyList<string> Dependencies);

/// <summary>
/// A build's crate graph with compile times. Gives the two lower bounds no scheduler can beat with N workers:
/// the critical path (the longest chain of dependent compiles) and the total work divided by N.
/// </summary>
public sealed class CrateGraph
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public CrateGraph(string source, IReadOnlyList<CrateNode> nodes)
    {
        Source = source;
        Nodes = nodes;
        var ids = nodes.Select(n => n.Id).ToHashSet();
        if (nodes.SelectMany(n => n.Dependencies).FirstOrDefault(d => !ids.Contains(d)) is { } unknown)
            throw new InvalidDataException($"the graph names a dependency '{unknown}' that is not one of its crates");
        TopologicalOrder = Sort(nodes);
    }

    public string Source { get; }
    public IReadOnlyList<CrateNode> Nodes { get; }
    public IReadOnlyList<CrateNode> TopologicalOrder { get; }

    public double TotalSeconds => Nodes.Sum(n => n.Seconds);

    /// <summary>Max over dependency chains of the sum of their compile times.</summary>
    public double CriticalPathSeconds
    {
        get
        {
            var finish = new Dictionary<string, double>();
            foreach (var node in TopologicalOrder)
                finish[node.Id] = node.Seconds + node.Dependencies.Select(d => finish[d]).DefaultIfEmpty(0).Max();
            return finish.Values.DefaultIfEmpty(0).Max();
        }
    }

    /// <summary>
    /// Per crate, the longest chain of compiles from its start to the end of the build (its own time included):
    /// serving the crate with the longest remaining path first is the classic critical-path-first list schedule.
    /// </summary>
    public IReadOnlyDictionary<string, double> RemainingPathSeconds()
    {
        var dependents = Nodes.SelectMany(n => n.Dependencies.Select(d => (Dependency: d, Dependent: n)))
            .ToLookup(p => p.Dependency, p => p.Dependent);
        var remaining = new Dictionary<string, double>();
        foreach (var node in TopologicalOrder.Reverse())
            remaining[node.Id] = node.Seconds + dependents[node.Id].Select(d => remaining[d.Id]).DefaultIfEmpty(0).Max();
        return remaining;
    }

    /// <summary>The best makespan any scheduler could reach on <paramref name="workers"/> single-slot workers is at least this.</summary>
    public double LowerBound(int workers) => Math.Max(CriticalPathSeconds, TotalSeconds / workers);

    public CrateGraph Scaled(double factor) =>
        new($"{Source} (times x{factor})", Nodes.Select(n => n with { Seconds = n.Seconds * factor }).ToList());

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(new SavedGraph(Source, Nodes.ToList()), JsonOptions));
    }

    public static CrateGraph Load(string path)
    {
        var saved = JsonSerializer.Deserialize<SavedGraph>(File.ReadAllText(path), JsonOptions)
            ?? throw new InvalidDataException($"{path} holds no crate graph");
        return new CrateGraph(saved.Source, saved.Nodes);
    }

    private static List<CrateNode> Sort(IReadOnlyList<CrateNode> nodes)
    {
        var byId = nodes.ToDictionary(n => n.Id);
        var order = new List<CrateNode>();
        var state = new Dictionary<string, bool>(); // false: being visited, true: done
        void Visit(CrateNode node)
        {
            if (state.TryGetValue(node.Id, out var done))
            {
                if (!done)
                    throw new InvalidDataException($"the crate graph has a cycle through {node.Id}");
                return;
            }
            state[node.Id] = false;
            foreach (var dependency in node.Dependencies)
                Visit(byId[dependency]);
            state[node.Id] = true;
            order.Add(node);
        }
        foreach (var node in nodes)
            Visit(node);
        return order;
    }

    private sealed record SavedGraph(string Source, List<CrateNode> Nodes);
}
