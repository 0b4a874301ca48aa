using System.Text.RegularExpressions;
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

    private async Task<(RustTools.Result Cargo, IReadOnlyList<InvocationRecord> Invocations)> BuildAsync(
        string schedulerUrl, string? localCas = null, int? jobs = null, Task<string>? schedulerStarting = null, bool localFallback = false)
    {
        var log = _lastLog = new RecordingLog();
        var settings = new CoordinatorSettings(schedulerUrl, "", null, localFallback, JobTimeout: null) { LocalCasDirectory = localCas };
        await using var coordinator = new RustcCoordinator(settings, log, schedulerStarting);
        await coordinator.StartAsync(CancellationToken.None);
        var cargo = await RustTools.RunAsync(RustTools.Cargo, ["build", "--offline"], _workspace, new Dictionary<string, string?>
        {
            ["RUSTC_WRAPPER"] = RustTools.Shim,
            ["RUSTC_WORKSPACE_WRAPPER"] = null,
            ["CARGO_INCREMENTAL"] = "0",
            ["CARGO_TERM_COLOR"] = "never",
            ["CARGO_TARGET_DIR"] = null,
            ["CARGO_BUILD_JOBS"] = jobs?.ToString(System.Globalization.CultureInfo.InvariantCulture),
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
    public async Task Once_compiles_come_from_the_cache_they_are_executed_without_asking_the_CAS_first()
    {
        SampleWorkspace.Write(_workspace);
        // The scheduler logs every request it serves.
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information");
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}");
        // A request is logged as it ends, after its answer went out: the log is read once every request is in it.
        async Task<string> SettledLogAsync()
        {
            for (var wait = 0; ; wait += 50)
            {
                var log = scheduler.Output;
                if (Regex.Count(log, "Request starting ") == Regex.Count(log, "Request finished ") || wait > 10_000)
                    return log;
                await Task.Delay(50);
            }
        }
        async Task<int> FindMissingCallsAsync() => Regex.Count(await SettledLogAsync(), @"Request starting HTTP/2 POST [^ ]*\.ContentAddressableStorage/FindMissingBlobs");

        var (cold, coldInvocations) = await BuildAsync(scheduler.Url, jobs: 1);

        Assert.True(cold.ExitCode == 0, cold.ToString());
        Assert.All(coldInvocations, i => Assert.Equal("remote", i.Kind));
        // Cold compiles still upload before they execute: no Execute was sent ahead of its inputs.
        Assert.DoesNotContain("input blob(s)", await SettledLogAsync());
        var coldCalls = await FindMissingCallsAsync();

        System.IO.Directory.Delete(Path.Combine(_workspace, "target"), recursive: true);
        var (warm, warmInvocations) = await BuildAsync(scheduler.Url, jobs: 1);

        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.Equal(4, warmInvocations.Count);
        Assert.All(warmInvocations, i => Assert.Equal("cached", i.Kind));
        // Only the first compile asks what the CAS lacks (no worker ran anything); once it came from the cache, the
        // others go straight to Execute.
        Assert.Equal(coldCalls + 1, await FindMissingCallsAsync());
        Assert.Equal(SampleWorkspace.ExpectedOutput, (await RustTools.RunAsync(Path.Combine(_workspace, "target", "debug", "app"), [], _workspace)).Stdout.Trim());

        // A changed crate after hits: its Execute goes first, the scheduler answers that it lacks the action, and the
        // inputs go up then.
        System.IO.Directory.Delete(Path.Combine(_workspace, "target"), recursive: true);
        var main = Path.Combine(_workspace, "app", "src", "main.rs");
        File.WriteAllText(main, File.ReadAllText(main).Replace("macro {}", "macro {}!", StringComparison.Ordinal));
        var (edited, editedInvocations) = await BuildAsync(scheduler.Url, jobs: 1);

        Assert.True(edited.ExitCode == 0, edited.ToString());
        Assert.Equal(
            ["app remote", "core-lib build script cached", "corelib cached", "macros cached"],
            editedInvocations.Select(i => $"{i.Crate} {i.Kind}").Order(StringComparer.Ordinal));
        Assert.Single(Regex.Matches(await SettledLogAsync(), @"is missing \d+ input blob\(s\)"));
        Assert.Equal(SampleWorkspace.ExpectedOutput + "!", (await RustTools.RunAsync(Path.Combine(_workspace, "target", "debug", "app"), [], _workspace)).Stdout.Trim());
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
            .Select(l => Regex.Match(l, @"(\d+) outputs from the local CAS"))
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

    [Fact]
    public async Task On_this_machine_fresh_libraries_are_links_to_their_blobs_and_a_binary_rewritten_in_place_leaves_the_cache_intact()
    {
        SampleWorkspace.Write(_workspace);
        var data = TemporaryDirectory.Create("scheduler-data");
        var cas = LocalCasDirectory.InDataDirectory(data);
        await using var scheduler = await TestHosts.StartSchedulerAsync(data);
        // As on the embedded default, the worker puts its outputs into the CAS directory by linking them.
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}", $"--Worker:SchedulerCasDirectory={cas}");
        var deps = Path.Combine(_workspace, "target", "debug", "deps");
        var binary = Path.Combine(_workspace, "target", "debug", "app");
        string BlobOf(string file) => LocalCasDirectory.BlobPath(cas, DistBuild.Protocol.Digests.Digests.ComputeFile(file).Hash);

        var (first, _) = await BuildAsync(scheduler.Url, cas);

        Assert.True(first.ExitCode == 0, first.ToString());
        var rlib = System.IO.Directory.GetFiles(deps, "libcorelib-*.rlib").Single();
        var procMacro = System.IO.Directory.GetFiles(deps, "libmacros-*.so").Single();
        Assert.Equal(FileIdentity.Inode(BlobOf(rlib)), FileIdentity.Inode(rlib));
        Assert.Equal(FileIdentity.Inode(BlobOf(procMacro)), FileIdentity.Inode(procMacro));
        Assert.NotEqual(FileIdentity.Inode(BlobOf(binary)), FileIdentity.Inode(binary));
        Assert.Contains(_lastLog.Lines, l => Regex.IsMatch(l, @"^detail corelib: .* outputs from the local CAS \([1-9]\d* linked\)"));

        // The links kept the times their compiles gave them, which cargo finds new enough: nothing to do.
        var (again, againInvocations) = await BuildAsync(scheduler.Url, cas);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Empty(againInvocations);

        // A user rewrites the binary in place, as GNU strip does with a file of several links (cargo links
        // target/debug/app to deps/app-*): the cache still holds, and serves, the binary the compile made.
        var original = File.ReadAllBytes(binary);
        using (var inPlace = new FileStream(binary, FileMode.Open, FileAccess.Write))
            inPlace.Write("not an ELF any more"u8);
        System.IO.Directory.Delete(Path.Combine(_workspace, "target"), recursive: true);
        var (cached, cachedInvocations) = await BuildAsync(scheduler.Url, cas);
        Assert.True(cached.ExitCode == 0, cached.ToString());
        Assert.All(cachedInvocations, i => Assert.Equal("cached", i.Kind));
        Assert.Equal(original, File.ReadAllBytes(binary));
        Assert.Equal(SampleWorkspace.ExpectedOutput, (await RustTools.RunAsync(binary, [], _workspace)).Stdout.Trim());
    }

    [Fact]
    public async Task A_library_starts_on_its_dependencys_metadata_while_that_compile_still_runs_and_caches_all_the_same()
    {
        // base <- user (libraries) <- app (binary). cargo starts user once rustc announces base's .rmeta; so that the
        // order does not depend on how fast this machine is, the worker's rustc holds base's compile for 3 s after it
        // ends. Without pipelining, user's job could only be created after base's job finished.
        SampleWorkspace.Write(_workspace, new Dictionary<string, string>
        {
            ["Cargo.toml"] = "[workspace]\nmembers = [\"base\", \"user\", \"app\"]\nresolver = \"2\"\n",
            ["base/Cargo.toml"] = Package("base", ""),
            ["base/src/lib.rs"] = "pub fn base() -> u32 { 40 }\n",
            ["user/Cargo.toml"] = Package("user", "base = { path = \"../base\" }"),
            ["user/src/lib.rs"] = "pub fn user() -> u32 { base::base() + 2 }\n",
            ["app/Cargo.toml"] = Package("app", "user = { path = \"../user\" }"),
            ["app/src/main.rs"] = "fn main() { println!(\"pipelined {}\", user::user()); }\n",
        });
        var rustc = Path.Combine(TemporaryDirectory.Create("rustc"), "rustc");
        File.WriteAllText(rustc, $$"""
            #!/bin/sh
            "{{RustTools.Rustc}}" "$@"
            status=$?
            case " $* " in *" --crate-name base "*) sleep 3 ;; esac
            exit $status

            """);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(rustc, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={rustc}");
        var binary = Path.Combine(_workspace, "target", "debug", "app");

        var (cold, coldInvocations) = await BuildAsync(scheduler.Url);

        Assert.True(cold.ExitCode == 0, cold.ToString());
        Assert.Equal("pipelined 42", (await RustTools.RunAsync(binary, [], _workspace)).Stdout.Trim());
        Assert.All(coldInvocations, i => Assert.Equal(("remote", 0), (i.Kind, i.ExitCode)));
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(scheduler.Url);
        var jobs = (await new DistBuild.Protocol.Admin.Admin.AdminClient(channel).ListJobsAsync(new DistBuild.Protocol.Admin.ListJobsRequest())).Jobs;
        var baseJob = jobs.Single(j => j.Description == "rustc base (lib)");
        var userJob = jobs.Single(j => j.Description == "rustc user (lib)");
        Assert.True(userJob.CreatedAt.ToDateTimeOffset() < baseJob.FinishedAt.ToDateTimeOffset(),
            $"user's job was created at {userJob.CreatedAt}, after base's finished at {baseJob.FinishedAt}");
        Assert.Contains(_lastLog.Lines, l => l.StartsWith("detail base: ", StringComparison.Ordinal) && l.EndsWith(", metadata to cargo early", StringComparison.Ordinal));
        // base's sidecar was there before cargo started user, so user's inputs are base's closure, not a directory's worth.
        Assert.DoesNotContain(_lastLog.Lines, l => l.Contains(DependencyClosure.SidecarExtension + " beside", StringComparison.Ordinal));

        // user's action did not depend on whether base's .rlib existed yet when it was made: after a clean, all are hits.
        System.IO.Directory.Delete(Path.Combine(_workspace, "target"), recursive: true);
        var (warm, warmInvocations) = await BuildAsync(scheduler.Url);

        Assert.True(warm.ExitCode == 0, warm.ToString());
        Assert.Equal(3, warmInvocations.Count);
        Assert.All(warmInvocations, i => Assert.Equal("cached", i.Kind));
        Assert.Equal("pipelined 42", (await RustTools.RunAsync(binary, [], _workspace)).Stdout.Trim());
    }

    private static string Package(string name, string dependencies) =>
        $"[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{dependencies}\n";

    [Fact]
    public async Task Cargo_runs_while_the_embedded_scheduler_starts_and_its_compiles_wait_for_it()
    {
        SampleWorkspace.Write(_workspace);
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}");
        var starting = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var build = BuildAsync("", schedulerStarting: starting.Task);
        // cargo's probe of rustc's configuration is answered by the coordinator: cargo is under way before the scheduler is.
        var log = _lastLog;
        await Poll.UntilAsync(() => log.Lines.Any(l => l.Contains("rustc query answered by the coordinator", StringComparison.Ordinal)), TimeSpan.FromSeconds(120), () => $"cargo never probed rustc:\n{log}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("progress ", StringComparison.Ordinal));
        starting.SetResult(scheduler.Url);
        var (cargo, invocations) = await build;

        Assert.True(cargo.ExitCode == 0, cargo.ToString());
        Assert.Equal(4, invocations.Count);
        Assert.All(invocations, i => Assert.Equal(("remote", "worker-1", 0), (i.Kind, i.Worker, i.ExitCode)));
        Assert.Equal(SampleWorkspace.ExpectedOutput, (await RustTools.RunAsync(Path.Combine(_workspace, "target", "debug", "app"), [], _workspace)).Stdout.Trim());
    }

    [Fact]
    public async Task An_embedded_scheduler_that_fails_to_start_leaves_the_compiles_to_this_machine_with_local_fallback()
    {
        SampleWorkspace.Write(_workspace);
        var starting = Task.FromException<string>(new InvalidOperationException("the worker exited while starting"));

        var (cargo, invocations) = await BuildAsync("", schedulerStarting: starting, localFallback: true);

        Assert.True(cargo.ExitCode == 0, cargo.ToString());
        Assert.Equal(4, invocations.Count);
        Assert.All(invocations, i => Assert.Equal(("local", "embedded scheduler did not start", 0), (i.Kind, i.Note, i.ExitCode)));
        Assert.Equal(SampleWorkspace.ExpectedOutput, (await RustTools.RunAsync(Path.Combine(_workspace, "target", "debug", "app"), [], _workspace)).Stdout.Trim());
    }
}
