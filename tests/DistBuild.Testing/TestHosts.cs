namespace DistBuild.Testing;

/// <summary>Starts the DistBuild hosts the way tests need them: loopback, ports chosen at run time, data in a temporary directory.</summary>
public static class TestHosts
{
    /// <summary>
    /// Starts a scheduler with its CAS and action cache under <paramref name="dataDirectory"/> (a new temporary
    /// directory when null). Extra arguments are configuration overrides such as "--Scheduler:WorkerTimeout=00:00:03".
    /// </summary>
    public static Task<HostProcess> StartSchedulerAsync(string? dataDirectory = null, params string[] settings) =>
        StartSchedulerAsync(dataDirectory, environment: null, settings);

    /// <summary>As above, with extra environment variables (`Auth__Tokens__0`, `Kestrel__Certificates__Default__Path`…).</summary>
    public static Task<HostProcess> StartSchedulerAsync(string? dataDirectory, IDictionary<string, string>? environment, params string[] settings) =>
        StartSchedulerFromAsync(RepositoryPaths.HostAssembly("DistBuild.Scheduler"), dataDirectory, environment, settings);

    /// <summary>As above, from another build of the scheduler: an assembly, or a published executable such as the package's NativeAOT host.</summary>
    public static Task<HostProcess> StartSchedulerFromAsync(string program, string? dataDirectory, IDictionary<string, string>? environment, params string[] settings)
    {
        dataDirectory ??= TemporaryDirectory.Create("scheduler");
        return HostProcess.StartAsync(
            program,
            ["--urls", "http://127.0.0.1:0", $"--Scheduler:DataDirectory={dataDirectory}", .. settings],
            environment);
    }

    /// <summary>
    /// Starts a scheduler on a fixed loopback port, for tests that restart it where its clients and workers expect it
    /// (take the port from <see cref="FreePort"/>).
    /// </summary>
    public static Task<HostProcess> StartSchedulerOnPortAsync(int port, string dataDirectory, params string[] settings) =>
        HostProcess.StartAsync(
            RepositoryPaths.HostAssembly("DistBuild.Scheduler"),
            ["--urls", $"http://127.0.0.1:{port}", $"--Scheduler:DataDirectory={dataDirectory}", .. settings]);

    /// <summary>A loopback port that was free a moment ago (bound to port 0, then released).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a worker registered with the scheduler at <paramref name="schedulerUrl"/>, listening on a free port.</summary>
    public static Task<HostProcess> StartWorkerAsync(string schedulerUrl, string workerId, params string[] settings) =>
        StartWorkerAsync(schedulerUrl, workerId, environment: null, settings);

    /// <summary>
    /// As above, with extra environment variables. Jobs run in bubblewrap where this machine allows it and unsandboxed
    /// elsewhere (`Worker:Sandbox=Auto`); a test that needs one or the other passes `--Worker:Sandbox=…`.
    /// </summary>
    public static async Task<HostProcess> StartWorkerAsync(string schedulerUrl, string workerId, IDictionary<string, string>? environment, params string[] settings)
    {
        var worker = await StartWorkerProcessAsync(schedulerUrl, workerId, environment, settings);
        try
        {
            await worker.WaitForOutputAsync("Registered with the scheduler", HostProcess.StartTimeout);
        }
        catch (TimeoutException)
        {
            // Not left behind retrying a scheduler the test has stopped.
            await worker.DisposeAsync();
            throw;
        }
        return worker;
    }

    /// <summary>Starts a worker and returns once it listens, registered or not (for tests of a refused registration).</summary>
    public static Task<HostProcess> StartWorkerProcessAsync(string schedulerUrl, string workerId, IDictionary<string, string>? environment, params string[] settings) =>
        HostProcess.StartAsync(
            RepositoryPaths.HostAssembly("DistBuild.Worker"),
            ["--scheduler", schedulerUrl, "--id", workerId, "--port", "0", $"--Worker:WorkDirectory={TemporaryDirectory.Create("worker-" + workerId)}", "--Worker:Sandbox=Auto", .. settings],
            environment);
}
