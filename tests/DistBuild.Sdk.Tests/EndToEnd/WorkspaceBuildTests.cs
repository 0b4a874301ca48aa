using System.Net;
using System.Net.Sockets;
using DistBuild.Testing;

namespace DistBuild.Sdk.Tests.EndToEnd;

/// <summary>`dotnet build` of the HelloWorkspace wrapper over samples/workspace, through the packed SDK.</summary>
[Collection(SdkPackageCollection.Name)]
public sealed class WorkspaceBuildTests(SdkPackageFixture sdk)
{
    private const string ExpectedOutput = "hello from distbuild: 42";

    [Fact]
    public async Task Workspace_builds_remotely_and_its_binary_prints_the_expected_line_and_the_embedded_scheduler_is_reused()
    {
        var samples = sdk.CopySamples(nameof(Workspace_builds_remotely_and_its_binary_prints_the_expected_line_and_the_embedded_scheduler_is_reused));
        var project = Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj");

        var first = (await sdk.BuildAsync(project)).ShouldSucceed("first build");

        Assert.Equal(ExpectedOutput, await RunHelloAsync(samples));
        // At -v:n a line per compile (normal importance) reaches the console; the per-compile details (low) do not
        // even leave the coordinator.
        Assert.Contains("hello (bin): remote on embedded-", first.Output);
        var report = BuildReportFile.Read(Path.GetDirectoryName(project)!);
        Assert.Equal("embedded", report.Mode);
        Assert.Contains(report.Invocations, i => i is { Crate: "hello", Kind: "remote" });
        Assert.DoesNotContain(report.Invocations, i => i.Kind == "local");
        // `dotnet build` has returned, and the embedded scheduler it started is still there for the next build.
        var schedulerPid = sdk.EmbeddedState()!.Value.GetProperty("schedulerPid").GetInt32();
        Assert.True(File.Exists($"/proc/{schedulerPid}/cmdline"), "the embedded scheduler exited with the build");

        var second = (await sdk.BuildAsync(project)).ShouldSucceed("no-op build");

        Assert.Empty(BuildReportFile.Read(Path.GetDirectoryName(project)!).Invocations);
        Assert.Contains("everything up to date", second.Output);
        Assert.Equal(schedulerPid, sdk.EmbeddedState()!.Value.GetProperty("schedulerPid").GetInt32());
    }

    [Fact]
    public async Task Deleting_the_cargo_target_directory_makes_every_compile_a_cache_hit_with_the_same_binary()
    {
        var samples = sdk.CopySamples(nameof(Deleting_the_cargo_target_directory_makes_every_compile_a_cache_hit_with_the_same_binary));
        var project = Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj");
        (await sdk.BuildAsync(project)).ShouldSucceed("first build");
        var firstBinary = await File.ReadAllBytesAsync(HelloPath(samples));
        var firstCount = BuildReportFile.Read(Path.GetDirectoryName(project)!).Invocations.Count;

        Directory.Delete(Path.Combine(samples, "HelloWorkspace", "obj", "cargo"), recursive: true);
        (await sdk.BuildAsync(project)).ShouldSucceed("build after deleting the target directory");

        var report = BuildReportFile.Read(Path.GetDirectoryName(project)!);
        Assert.Equal(firstCount, report.Invocations.Count);
        Assert.All(report.Invocations, i => Assert.Equal("cached", i.Kind));
        Assert.Equal(firstBinary, await File.ReadAllBytesAsync(HelloPath(samples)));
        Assert.Equal(ExpectedOutput, await RunHelloAsync(samples));
    }

    [Fact]
    public async Task Type_error_is_an_msbuild_error_naming_the_file_line_column_and_rustc_code()
    {
        var samples = sdk.CopySamples(nameof(Type_error_is_an_msbuild_error_naming_the_file_line_column_and_rustc_code));
        var main = Path.Combine(samples, "workspace", "crates", "mathlib", "src", "lib.rs");
        File.AppendAllText(main, "\npub fn broken() -> i32 {\n    \"not a number\"\n}\n");
        var line = File.ReadAllLines(main).ToList().FindIndex(l => l.Contains("\"not a number\"")) + 1;

        var result = await sdk.BuildAsync(Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{main}({line},5,{line},19): rustc error E0308: mismatched types", result.Output);
    }

    [Fact]
    public async Task Broken_cargo_manifest_fails_the_build_with_a_DISTB_error_against_the_manifest()
    {
        var samples = sdk.CopySamples(nameof(Broken_cargo_manifest_fails_the_build_with_a_DISTB_error_against_the_manifest));
        var manifest = Path.Combine(samples, "workspace", "crates", "mathlib", "Cargo.toml");
        File.WriteAllText(manifest, "[package]\nname = \nversion = \"0.1.0\"\n");

        var result = await sdk.BuildAsync(Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{manifest}(2,8): cargo error DISTB0002:", result.Output);
    }

    [Fact]
    public async Task Unreachable_scheduler_without_fallback_is_a_clear_error_naming_the_url()
    {
        var samples = sdk.CopySamples(nameof(Unreachable_scheduler_without_fallback_is_a_clear_error_naming_the_url));
        var url = $"http://127.0.0.1:{ClosedPort()}";

        var result = await sdk.BuildAsync(Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj"), $"DistBuildScheduler={url}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"error DISTB0003: DistBuild cannot reach the scheduler at {url}", result.Output);
        Assert.Contains("DistBuildLocalFallback=true", result.Output);
    }

    [Fact]
    public async Task Unreachable_scheduler_with_fallback_warns_for_each_crate_and_builds_locally()
    {
        var samples = sdk.CopySamples(nameof(Unreachable_scheduler_with_fallback_warns_for_each_crate_and_builds_locally));
        var project = Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj");

        var result = (await sdk.BuildAsync(project, $"DistBuildScheduler=http://127.0.0.1:{ClosedPort()}", "DistBuildLocalFallback=true"))
            .ShouldSucceed("build with local fallback");

        var report = BuildReportFile.Read(Path.GetDirectoryName(project)!);
        Assert.NotEmpty(report.Invocations);
        Assert.All(report.Invocations, i => Assert.Equal("local", i.Kind));
        foreach (var (crate, _) in report.Invocations)
            Assert.Contains($"warning DISTB0012: DistBuild: {crate} compiled locally", result.Output);
        Assert.Equal(ExpectedOutput, await RunHelloAsync(samples));
    }

    [Fact]
    public async Task Embedded_worker_that_cannot_start_is_one_DISTB0005_error_quoting_its_log_and_with_fallback_the_build_compiles_locally()
    {
        var samples = sdk.CopySamples(nameof(Embedded_worker_that_cannot_start_is_one_DISTB0005_error_quoting_its_log_and_with_fallback_the_build_compiles_locally));
        var project = Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj");
        // A home of its own, so the shared embedded pair is not replaced; a worker that refuses to start, as one
        // without rustc does. cargo starts while the pair starts, so this also shows cargo is stopped, not left waiting.
        var home = Path.Combine(samples, "distbuild-home");
        var worker = FakeWorker(samples, "refusing", "echo 'The worker cannot start: no rustc for this test' >&2\nexit 1");

        var failed = await sdk.BuildAsync(project, $"DistBuildHome={home}", $"_DistBuildWorkerHost={worker}");

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("error DISTB0005: DistBuild could not start its embedded scheduler: DistBuild.Worker exited while starting", failed.Output);
        Assert.Contains("no rustc for this test", failed.Output);
        var errors = failed.Output.Split('\n').Where(l => l.Contains(" error ", StringComparison.Ordinal)).ToList();
        Assert.All(errors, e => Assert.Contains("error DISTB0005", e));
        Assert.False(File.Exists(HelloPath(samples)), "hello was built without a scheduler");
        // The scheduler started beside the refusing worker does not idle on alone.
        Assert.DoesNotContain(Directory.EnumerateDirectories("/proc").Select(CommandLine), c => c.Contains("DistBuild.Scheduler") && c.Contains(home));

        var fallback = (await sdk.BuildAsync(project, $"DistBuildHome={home}", $"_DistBuildWorkerHost={worker}", "DistBuildLocalFallback=true"))
            .ShouldSucceed("build with local fallback");

        Assert.Contains("warning DISTB0009: DistBuild could not start its embedded scheduler", fallback.Output);
        var report = BuildReportFile.Read(Path.GetDirectoryName(project)!);
        Assert.NotEmpty(report.Invocations);
        Assert.All(report.Invocations, i => Assert.Equal("local", i.Kind));
        Assert.Equal(ExpectedOutput, await RunHelloAsync(samples));
    }

    [Fact]
    public async Task A_no_op_build_after_the_embedded_pair_stopped_neither_waits_for_the_pair_it_starts_nor_leaves_it_unrecorded()
    {
        var samples = sdk.CopySamples(nameof(A_no_op_build_after_the_embedded_pair_stopped_neither_waits_for_the_pair_it_starts_nor_leaves_it_unrecorded));
        var project = Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj");
        // A home of its own: its pair is stopped here, as the idle shutdown would stop it.
        var home = Path.Combine(samples, "distbuild-home");
        // The pair the no-op builds start gets a worker that never registers: a build that waited for it would wait
        // out the start timeout (60 s) and fail with DISTB0005.
        var silentWorker = FakeWorker(samples, "silent", "sleep 60");
        try
        {
            (await sdk.BuildAsync(project, $"DistBuildHome={home}")).ShouldSucceed("first build");
            StopEmbeddedPair(home);

            var noOp = (await sdk.BuildAsync(project, $"DistBuildHome={home}", $"_DistBuildWorkerHost={silentWorker}"))
                .ShouldSucceed("no-op build with the pair stopped");

            Assert.DoesNotContain("DISTB0005", noOp.Output);
            Assert.Empty(BuildReportFile.Read(Path.GetDirectoryName(project)!).Invocations);
            // It recorded the pair it started, for the next build.
            var started = SchedulerPid(home);
            Assert.Contains(started, Processes.WithCommandLineContaining("DistBuild.Scheduler", home));

            (await sdk.BuildAsync(project, $"DistBuildHome={home}", $"_DistBuildWorkerHost={silentWorker}")).ShouldSucceed("second no-op build");

            Assert.Equal(started, SchedulerPid(home));
            Assert.Single(Processes.WithCommandLineContaining("DistBuild.Scheduler", home));
        }
        finally
        {
            StopEmbeddedPair(home);
        }
    }

    /// <summary>
    /// A shell script in place of the worker, named as the real one is, since the embedded start recognises its hosts
    /// by their command lines.
    /// </summary>
    private static string FakeWorker(string samples, string folder, string script)
    {
        var worker = Path.Combine(Directory.CreateDirectory(Path.Combine(samples, folder)).FullName, "DistBuild.Worker");
        File.WriteAllText(worker, $"#!/bin/sh\n{script}\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(worker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return worker;
    }

    private static int SchedulerPid(string home) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(home, "embedded.json"))).RootElement.GetProperty("schedulerPid").GetInt32();

    private static void StopEmbeddedPair(string home) => Processes.KillWithCommandLineContaining("DistBuild.", home);

    private static string CommandLine(string procDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDirectory, "cmdline")).Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    [Fact]
    public async Task The_packed_task_is_precompiled_so_msbuild_jit_compiles_none_of_its_code()
    {
        var samples = sdk.CopySamples(nameof(The_packed_task_is_precompiled_so_msbuild_jit_compiles_none_of_its_code));
        var project = Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj");
        var jitLog = Path.Combine(samples, "jit.txt");

        // The runtime's own list of every method it JIT-compiles (DOTNET_JitDisasmSummary, in release runtimes too).
        (await sdk.DotnetAsync("build", project, new Dictionary<string, string?> { ["DOTNET_JitDisasmSummary"] = "1", ["DOTNET_JitStdOutFile"] = jitLog }))
            .ShouldSucceed("build");

        var compiled = File.ReadAllLines(jitLog);
        // MSBuild's generic code always JIT-compiles, which shows the list is the build's.
        Assert.Contains(compiled, line => line.Contains("Microsoft.Build.", StringComparison.Ordinal));
        Assert.DoesNotContain(compiled, line => line.Contains("DistBuild.Tasks.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disabled_distribution_builds_with_plain_cargo()
    {
        var samples = sdk.CopySamples(nameof(Disabled_distribution_builds_with_plain_cargo));
        var project = Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj");

        (await sdk.BuildAsync(project, "DistBuildEnabled=false")).ShouldSucceed("plain cargo build");

        Assert.Equal("cargo", BuildReportFile.Read(Path.GetDirectoryName(project)!).Mode);
        Assert.Equal(ExpectedOutput, await RunHelloAsync(samples));
    }

    [Fact]
    public async Task Wrapper_project_reads_Directory_Build_props_publishes_a_release_binary_and_cleans_what_it_built()
    {
        var samples = sdk.CopySamples(nameof(Wrapper_project_reads_Directory_Build_props_publishes_a_release_binary_and_cleans_what_it_built));
        // A wrapper does not import Microsoft.NET.Sdk, but Directory.Build.props applies to it as to any project.
        File.WriteAllText(Path.Combine(samples, "Directory.Build.props"),
            "<Project><PropertyGroup><BaseOutputPath>$(MSBuildThisFileDirectory)out/</BaseOutputPath></PropertyGroup></Project>");
        var project = Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj");
        var built = Path.Combine(samples, "out", "Debug", "net10.0", "hello");

        (await sdk.BuildAsync(project)).ShouldSucceed("build");
        Assert.True(File.Exists(built), $"the binary is not in the output directory named by Directory.Build.props ({built})");

        (await sdk.DotnetAsync("publish", project)).ShouldSucceed("publish");
        var published = Path.Combine(samples, "out", "Release", "net10.0", "publish", "hello");
        var run = (await Command.RunAsync(published, [], samples, TimeSpan.FromSeconds(30))).ShouldSucceed("published hello");
        Assert.Equal(ExpectedOutput, run.Output.Trim());
        Assert.True(File.Exists(Path.Combine(samples, "HelloWorkspace", "obj", "cargo", "release", "hello")), "publish did not build cargo's release profile");
        Assert.Contains(BuildReportFile.Read(Path.GetDirectoryName(project)!, "Release").Invocations, i => i is { Crate: "hello", Kind: "remote" });

        (await sdk.DotnetAsync("clean", project)).ShouldSucceed("clean");
        Assert.False(File.Exists(built), "clean left the binary it had copied to the output directory");
        Assert.False(Directory.Exists(Path.Combine(samples, "HelloWorkspace", "obj", "cargo")), "clean left the cargo target directory");
    }

    private static string HelloPath(string samples) => Path.Combine(samples, "HelloWorkspace", "bin", "Debug", "net10.0", "hello");

    private static async Task<string> RunHelloAsync(string samples)
    {
        var result = (await Command.RunAsync(HelloPath(samples), [], samples, TimeSpan.FromSeconds(30))).ShouldSucceed("hello");
        return result.Output.Trim();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
