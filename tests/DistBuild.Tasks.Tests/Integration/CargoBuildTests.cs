using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Coordination;
using DistBuild.Tasks.Tests.Support;
using DistBuild.Testing;
using Xunit.Abstractions;

namespace DistBuild.Tasks.Tests.Integration;

/// <summary>Real `cargo build` runs through the shim and the coordinator, against a real scheduler and worker.</summary>
public class CargoBuildTests(ITestOutputHelper output)
{
    private readonly string _workspace = TemporaryDirectory.Create("cargo");

    private RecordingLog _lastLog = new();

    private async Task<(RustTools.Result Cargo, IReadOnlyList<InvocationRecord> Invocations)> BuildAsync(string schedulerUrl, string? localCas = null)
    {
        var log = _lastLog = new RecordingLog();
        var settings = new CoordinatorSettings(schedulerUrl, "", null, LocalFallback: false, JobTimeout: null) { LocalCasDirectory = localCas };
        await using var coordinator = new RustcCoordinator(settings, log);
        await coordinator.StartAsync(CancellationToken.None);
        var cargo = await RustTools.RunAsync(RustTools.Cargo, ["build", "--offline"], _workspace, new Dictionary<string, string?>
        {
            ["RUSTC_WRAPPER"] = RustTools.Shim,
            ["RUSTC_WORKSPACE_WRAPPER"] = null,
            ["CARGO_INCREMENTAL"] = "0",
            ["CARGO_TERM_COLOR"] = "never",
            ["CARGO_TARGET_DIR"] = null,
            [ShimProtocol.CoordinatorVariable] = coordinator.SocketPath,
        });
        output.WriteLine($"cargo: {cargo}\ncoordinator:\n{log}");
        return (cargo, coordinator.Invocations);
    }

    [Fact]
    public async Task Workspace_builds_remotely_then_from_the_cache_after_clean_then_not_at_all()
    {
        SampleWorkspace.Write(_workspace);
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}");
        var binary = Path.Combine(_workspace, "target", "debug", "app");

        var (first, firstInvocations) = await BuildAsync(scheduler.Url);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(SampleWorkspace.ExpectedOutput, (await RustTools.RunAsync(binary, [], _workspace)).Stdout.Trim());
        Assert.Equal(
            ["app (bin)", "core-lib build script (bin)", "corelib (lib)", "macros (proc-macro)"],
            firstInvocations.Select(i => $"{i.Crate} ({i.CrateTypes})").Order(StringComparer.Ordinal));
        Assert.All(firstInvocations, i => Assert.Equal(("remote", "worker-1", 0), (i.Kind, i.Worker, i.ExitCode)));
        // The worker's own account of each compile comes back with it: rustc ran, within the Execute the client waited for.
        Assert.All(firstInvocations, i => Assert.True(i.Phases is { WorkerRustc: > 0 } p && p.Execute >= p.WorkerRustc, $"{i.Crate}: {i.Phases}"));
        var firstBinary = await File.ReadAllBytesAsync(binary);

        System.IO.Directory.Delete(Path.Combine(_workspace, "target"), recursive: true);
        var (second, secondInvocations) = await BuildAsync(scheduler.Url);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(4, secondInvocations.Count);
        Assert.All(secondInvocations, i => Assert.Equal("cached", i.Kind));
        Assert.All(secondInvocations, i => Assert.True(i.Phases is { WorkerRustc: null, Execute: > 0 }, $"{i.Crate}: {i.Phases}"));
        Assert.Equal(firstBinary, await File.ReadAllBytesAsync(binary));
        Assert.Equal(SampleWorkspace.ExpectedOutput, (await RustTools.RunAsync(binary, [], _workspace)).Stdout.Trim());

        var (third, thirdInvocations) = await BuildAsync(scheduler.Url);

        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Empty(thirdInvocations);
        Assert.DoesNotContain("Compiling", third.Stderr);
    }

    [Fact]
    public async Task With_the_schedulers_CAS_on_this_machine_outputs_are_copied_from_it_instead_of_downloaded()
    {
        SampleWorkspace.Write(_workspace);
        var data = TemporaryDirectory.Create("scheduler-data");
        await using var scheduler = await TestHosts.StartSchedulerAsync(data);
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}");
        var binary = Path.Combine(_workspace, "target", "debug", "app");

        var (first, _) = await BuildAsync(scheduler.Url, LocalCasDirectory.InDataDirectory(data));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(SampleWorkspace.ExpectedOutput, (await RustTools.RunAsync(binary, [], _workspace)).Stdout.Trim());
        var copies = _lastLog.Lines
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"(\d+) outputs copied from the local CAS"))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value))
            .ToList();
        Assert.Equal(4, copies.Count);
        // Every compile has an output bigger than the inline limit (an rlib, the binary) that came off the disk.
        Assert.All(copies, count => Assert.True(count > 0, _lastLog.ToString()));

        // From the cache, with blobs written long ago: the copies are new files to cargo, so the build after is a no-op.
        foreach (var blob in System.IO.Directory.EnumerateFiles(LocalCasDirectory.InDataDirectory(data), "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(blob, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        System.IO.Directory.Delete(Path.Combine(_workspace, "target"), recursive: true);
        var (cached, cachedInvocations) = await BuildAsync(scheduler.Url, LocalCasDirectory.InDataDirectory(data));
        Assert.True(cached.ExitCode == 0, cached.ToString());
        Assert.All(cachedInvocations, i => Assert.Equal("cached", i.Kind));
        Assert.Equal(SampleWorkspace.ExpectedOutput, (await RustTools.RunAsync(binary, [], _workspace)).Stdout.Trim());

        var (again, againInvocations) = await BuildAsync(scheduler.Url, LocalCasDirectory.InDataDirectory(data));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Empty(againInvocations);
    }
}
