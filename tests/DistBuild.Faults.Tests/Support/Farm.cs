using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Coordination;
using DistBuild.Testing;
using Grpc.Net.Client;

namespace DistBuild.Faults.Tests.Support;

/// <summary>What the fault tests do to a running farm: builds through the coordinator, admin queries, bounded waits.</summary>
internal static class Farm
{
    /// <summary>Fast worker liveness, so a lost worker costs seconds rather than the default 30 s.</summary>
    public static readonly string[] FastLiveness = ["--Scheduler:WorkerTimeout=00:00:03", "--Scheduler:HeartbeatInterval=00:00:01"];

    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);

    public static Admin.AdminClient Admin(string schedulerUrl, out GrpcChannel channel)
    {
        channel = GrpcChannels.Create(schedulerUrl);
        return new Admin.AdminClient(channel);
    }

    public static RustcCoordinator Coordinator(string schedulerUrl, RecordingLog log, TimeSpan? jobTimeout = null) =>
        new(new CoordinatorSettings(schedulerUrl, "", null, LocalFallback: false, JobTimeout: jobTimeout), log);

    /// <summary>Starts `cargo build` in <paramref name="workspace"/> through the shim and the coordinator; the task ends with cargo.</summary>
    public static Task<RustTools.Result> CargoBuildAsync(string workspace, RustcCoordinator coordinator) =>
        RustTools.RunAsync(RustTools.Cargo, ["build", "--offline"], workspace, new Dictionary<string, string?>
        {
            ["RUSTC_WRAPPER"] = RustTools.Shim,
            ["RUSTC_WORKSPACE_WRAPPER"] = null,
            ["CARGO_INCREMENTAL"] = "0",
            ["CARGO_TERM_COLOR"] = "never",
            ["CARGO_TARGET_DIR"] = null,
            [ShimProtocol.CoordinatorVariable] = coordinator.SocketPath,
        });

    /// <summary>Compiles one source file as a crate through the shim (a single rustc invocation, as cargo would make it).</summary>
    public static Task<RustTools.Result> CompileAsync(RustcCoordinator coordinator, string directory, string crate, string source, string crateType = "lib") =>
        CompileAsync(coordinator.SocketPath, directory, crate, source, crateType);

    /// <summary>The same, through the coordinator listening on <paramref name="socketPath"/> (the coordinator process's).</summary>
    public static Task<RustTools.Result> CompileAsync(string socketPath, string directory, string crate, string source, string crateType = "lib") =>
        RustTools.RunAsync(RustTools.Shim, [RustTools.Rustc, "--crate-name", crate, "--edition=2021", source, "--crate-type", crateType, "--out-dir", directory], directory,
            new Dictionary<string, string?> { [ShimProtocol.CoordinatorVariable] = socketPath });

    /// <summary>Waits for a condition, failing the test with <paramref name="what"/> when it does not hold in time.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what} did not happen within {timeout}");
            await Task.Delay(100);
        }
    }

    /// <summary>The first of the hosts whose output matches the pattern (e.g. the worker that started a compile).</summary>
    public static async Task<HostProcess> FirstToPrintAsync(IReadOnlyList<HostProcess> hosts, string pattern, TimeSpan timeout)
    {
        var regex = new System.Text.RegularExpressions.Regex(pattern);
        HostProcess? found = null;
        await WaitUntilAsync(() => Task.FromResult((found = hosts.FirstOrDefault(h => regex.IsMatch(h.Output))) is not null), timeout, $"output matching '{pattern}'");
        return found!;
    }

    /// <summary>
    /// A shell script standing in for rustc on a worker: `-vV` and every crate but <paramref name="crate"/> go to the
    /// real rustc; for that crate the script runs <paramref name="instead"/>.
    /// </summary>
    public static string RustcWrapper(string directory, string crate, string instead)
    {
        var path = Path.Combine(directory, "rustc");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            for argument in "$@"; do
              if [ "$previous" = "--crate-name" ] && [ "$argument" = "{{crate}}" ]; then
                {{instead}}
              fi
              previous="$argument"
            done
            exec "{{RustTools.Rustc}}" "$@"

            """);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
