namespace DistBuild.Testing;

/// <summary>Starts the DistBuild hosts the way tests need them: loopback, ports chosen at run time, data in a temporary directory.</summary>
public static class TestHosts
{
    /// <summary>
    /// Starts a scheduler with its CAS and action cache under <paramref name="dataDirectory"/> (a new temporary
    /// directory when null). Extra arguments are configuration overrides such as "--Scheduler:WorkerTimeout=00:00:03".
    /// </summary>
    public static Task<HostProcess> StartSchedulerAsync(string? dataDirectory = null, params string[] settings)
    {
        dataDirectory ??= TemporaryDirectory.Create("scheduler");
        return HostProcess.StartAsync(
            RepositoryPaths.HostAssembly("DistBuild.Scheduler"),
            ["--urls", "http://127.0.0.1:0", $"--Scheduler:DataDirectory={dataDirectory}", .. settings]);
    }

    /// <summary>Starts a worker registered with the scheduler at <paramref name="schedulerUrl"/>, listening on a free port.</summary>
    public static async Task<HostProcess> StartWorkerAsync(string schedulerUrl, string workerId, params string[] settings)
    {
        var worker = await HostProcess.StartAsync(
            RepositoryPaths.HostAssembly("DistBuild.Worker"),
            ["--scheduler", schedulerUrl, "--id", workerId, "--port", "0", $"--Worker:WorkDirectory={TemporaryDirectory.Create("worker-" + workerId)}", .. settings]);
        await worker.WaitForOutputAsync("Registered with the scheduler", TimeSpan.FromSeconds(30));
        return worker;
    }
}
