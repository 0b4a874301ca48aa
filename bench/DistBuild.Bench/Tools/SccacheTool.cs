using System.Net;
using DistBuild.Bench.Running;
using System.Net.Sockets;
using DistBuild.Bench.Workspaces;

namespace DistBuild.Bench.Tools;

/// <summary>
/// `cargo build` with sccache as RUSTC_WRAPPER and a local disk cache. Each repetition gets a fresh SCCACHE_DIR
/// and its own server (on a private port, so nobody else's sccache is touched), started before the cold build so
/// that the server's startup is not counted.
/// </summary>
public sealed class SccacheTool(string sccachePath, DiscardedDirectories discarded) : BuildTool
{
    public const string ToolName = "sccache";
    private string? _cacheDirectory;
    private int _port;

    public override string Name => ToolName;

    public static string? Find(string path) => File.Exists(path) ? path : null;

    public override async Task BeginRepetitionAsync(string workDirectory, string label, CancellationToken cancellationToken)
    {
        _cacheDirectory = Path.Combine(workDirectory, "sccache", label);
        discarded.Discard(_cacheDirectory);
        Directory.CreateDirectory(_cacheDirectory);
        _port = FreePort();
        try
        {
            await RunAsync(sccachePath, ["--start-server"], workDirectory, ServerEnvironment(), cancellationToken);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("Timed out waiting for server startup", StringComparison.Ordinal))
        {
            // A known, rare sccache flake (mozilla/sccache#1438 added a setting for it); it once stopped a 20-minute
            // run here. One more try, after stopping the first server in case it came up late (it never idles out).
            Console.Error.WriteLine($"sccache did not start in time; trying once more ({e.Message.Split('\n')[0]})");
            try
            {
                await RunAsync(sccachePath, ["--stop-server"], workDirectory, ServerEnvironment(), cancellationToken);
            }
            catch (InvalidOperationException)
            {
                // No server came up: nothing to stop.
            }
            await RunAsync(sccachePath, ["--start-server"], workDirectory, ServerEnvironment(), cancellationToken);
        }
    }

    public override async Task EndRepetitionAsync(CancellationToken cancellationToken)
    {
        if (_cacheDirectory is not null)
            await RunAsync(sccachePath, ["--stop-server"], Path.GetTempPath(), ServerEnvironment(), cancellationToken);
        _cacheDirectory = null;
    }

    public override Task<TimeSpan> BuildAsync(BenchWorkspace workspace, string targetDirectory, CancellationToken cancellationToken)
    {
        var environment = CargoEnvironment(targetDirectory);
        foreach (var (name, value) in ServerEnvironment())
            environment[name] = value;
        environment["RUSTC_WRAPPER"] = sccachePath;
        return RunCargoAsync(workspace, environment, cancellationToken);
    }

    public override async Task<string?> DescribeLastBuildAsync(CancellationToken cancellationToken)
    {
        var stats = await RunAsync(sccachePath, ["--show-stats"], Path.GetTempPath(), ServerEnvironment(), cancellationToken);
        var lines = stats.Output.Split('\n')
            .Where(l => l.StartsWith("Cache hits ", StringComparison.Ordinal) || l.StartsWith("Cache misses ", StringComparison.Ordinal)
                     || l.StartsWith("Non-cacheable calls", StringComparison.Ordinal))
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        return "sccache totals so far: " + string.Join("; ", lines);
    }

    private Dictionary<string, string?> ServerEnvironment() => new()
    {
        ["SCCACHE_DIR"] = _cacheDirectory,
        ["SCCACHE_SERVER_PORT"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SCCACHE_IDLE_TIMEOUT"] = "0",
        ["SCCACHE_LOG"] = null,
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
