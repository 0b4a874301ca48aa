using DistBuild.Testing;
using Xunit.Abstractions;

namespace DistBuild.Cli.Tests.Harness;

/// <summary>
/// A scheduler and its workers as real processes on loopback, with the CLI pointed at the scheduler.
/// Disposing stops them all and, for a failing test's diagnosis, writes what each host printed to the test output.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    private readonly ITestOutputHelper? _log;
    private readonly Dictionary<string, HostProcess> _workers = new();

    private Cluster(HostProcess scheduler, ITestOutputHelper? log)
    {
        Scheduler = scheduler;
        _log = log;
        Cli = new AdminCli(scheduler.Url);
    }

    public HostProcess Scheduler { get; }
    public AdminCli Cli { get; }
    public IReadOnlyDictionary<string, HostProcess> Workers => _workers;

    /// <summary>Starts a scheduler with the given setting overrides ("--Scheduler:X=Y") and workers named worker-1…worker-N.</summary>
    public static async Task<Cluster> StartAsync(ITestOutputHelper? log, int workers, params string[] schedulerSettings)
    {
        var cluster = new Cluster(await TestHosts.StartSchedulerAsync(null, schedulerSettings), log);
        try
        {
            for (var i = 1; i <= workers; i++)
                await cluster.AddWorkerAsync($"worker-{i}");
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public async Task<HostProcess> AddWorkerAsync(string workerId, params string[] settings)
    {
        var worker = await TestHosts.StartWorkerAsync(Scheduler.Url, workerId, settings);
        _workers[workerId] = worker;
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (id, worker) in _workers)
        {
            await worker.DisposeAsync();
            Write($"worker {id}", worker.Output);
        }
        await Scheduler.DisposeAsync();
        Write("scheduler", Scheduler.Output);
    }

    private void Write(string name, string output)
    {
        try
        {
            _log?.WriteLine($"----- {name} -----\n{output}");
        }
        catch (InvalidOperationException)
        {
            // The test has already finished reporting.
        }
    }
}
