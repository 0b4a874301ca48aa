using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Coordination;
using DistBuild.Tasks.Tests.Support;
using DistBuild.Testing;
using Xunit.Abstractions;

namespace DistBuild.Tasks.Tests.Integration;

/// <summary>
/// samples/realistic: 40+ crates.io crates from Debian's packaged sources (build scripts, proc macros, registry
/// crates compiled in their own directories with the target directory elsewhere) through a real scheduler and worker.
/// </summary>
public class RealisticWorkspaceTests(ITestOutputHelper output)
{
    private const string Registry = "/usr/share/cargo/registry";
    private const string ExpectedOutput = """realistic: {"words":58,"unique":32,"top":["is:6","a:5","of:4"],"pick":"is","roll":69}""";

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Registry_crates_build_remotely_run_correctly_and_come_from_the_cache_after_clean()
    {
        if (!System.IO.Directory.Exists(Registry))
        {
            output.WriteLine($"{Registry} is not installed (.ci/install-rust-crates.sh); nothing to check");
            return;
        }
        var workspace = Path.Combine(RepositoryPaths.Root, "samples", "realistic");
        var targetDirectory = TemporaryDirectory.Create("realistic-target");
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}");

        async Task<(RustTools.Result Cargo, IReadOnlyList<InvocationRecord> Invocations)> BuildAsync()
        {
            var log = new RecordingLog();
            await using var coordinator = new RustcCoordinator(new CoordinatorSettings(scheduler.Url, "", null, LocalFallback: false, JobTimeout: null), log);
            await coordinator.StartAsync(CancellationToken.None);
            var cargo = await RustTools.RunAsync(RustTools.Cargo, ["build", "--offline"], workspace, new Dictionary<string, string?>
            {
                ["RUSTC_WRAPPER"] = RustTools.Shim,
                ["RUSTC_WORKSPACE_WRAPPER"] = null,
                ["CARGO_INCREMENTAL"] = "0",
                ["CARGO_TERM_COLOR"] = "never",
                ["CARGO_TARGET_DIR"] = targetDirectory,
                [ShimProtocol.CoordinatorVariable] = coordinator.SocketPath,
            });
            output.WriteLine($"cargo: {cargo}\ncoordinator:\n{log}");
            return (cargo, coordinator.Invocations);
        }

        var (first, firstInvocations) = await BuildAsync();

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(ExpectedOutput, (await RustTools.RunAsync(Path.Combine(targetDirectory, "debug", "realistic"), [], workspace)).Stdout.Trim());
        Assert.True(firstInvocations.Count >= 50, $"{firstInvocations.Count} compiles");
        Assert.All(firstInvocations, i => Assert.Equal("remote", i.Kind));
        // anyhow's and thiserror's build scripts compile a nightly-feature probe through RUSTC_WRAPPER; on stable it fails by design.
        Assert.Equal(["anyhow_build", "thiserror_build"], firstInvocations.Where(i => i.ExitCode != 0).Select(i => i.Crate).Order(StringComparer.Ordinal));

        System.IO.Directory.Delete(targetDirectory, recursive: true);
        var (second, secondInvocations) = await BuildAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(firstInvocations.Count, secondInvocations.Count);
        // A failed action is not cached (as in REAPI servers generally), so the two probes run again.
        Assert.All(secondInvocations.Where(i => i.ExitCode == 0), i => Assert.Equal("cached", i.Kind));
        Assert.Equal(2, secondInvocations.Count(i => i.ExitCode != 0));
        Assert.Equal(ExpectedOutput, (await RustTools.RunAsync(Path.Combine(targetDirectory, "debug", "realistic"), [], workspace)).Stdout.Trim());
    }
}
