using DistBuild.Protocol.Channels;
using DistBuild.Testing;
using Grpc.Net.Client;

namespace DistBuild.MicroBench;

/// <summary>
/// A real scheduler process on a loopback port (started the way the integration tests start it) and one channel
/// to it. Each benchmark class owns one, so its CAS starts empty.
/// </summary>
public sealed class SchedulerConnection : IAsyncDisposable
{
    private readonly HostProcess _scheduler;

    private SchedulerConnection(HostProcess scheduler, string dataDirectory)
    {
        _scheduler = scheduler;
        DataDirectory = dataDirectory;
        Channel = GrpcChannels.Create(scheduler.Url);
    }

    /// <summary>
    /// The scheduler to run: null for the solution's build output (an assembly, JIT-compiled as it runs), or the path
    /// of another build, such as the NativeAOT executable the SDK package carries and the embedded default runs.
    /// </summary>
    public static string? Program { get; set; }

    public GrpcChannel Channel { get; }
    public string DataDirectory { get; }

    public static SchedulerConnection Start()
    {
        var data = TemporaryDirectory.Create("microbench-scheduler");
        // Per-request logging would measure the console, not the scheduler.
        string[] quiet = ["--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information"];
        var started = Program is null
            ? TestHosts.StartSchedulerAsync(data, quiet)
            : TestHosts.StartSchedulerFromAsync(Program, data, environment: null, quiet);
        var scheduler = started.GetAwaiter().GetResult();
        return new SchedulerConnection(scheduler, data);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _scheduler.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temporary directory's owner; nothing depends on it.
        }
    }
}
