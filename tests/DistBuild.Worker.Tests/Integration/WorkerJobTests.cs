using System.Diagnostics;
using System.Text;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Workers;
using DistBuild.Testing;
using Grpc.Core;

namespace DistBuild.Worker.Tests.Integration;

/// <summary>A real worker running real rustc jobs, given by a real scheduler or pushed to it directly.</summary>
public sealed class WorkerJobTests(SchedulerWithWorker hosts) : IClassFixture<SchedulerWithWorker>
{
    private static readonly TimeSpan JobWait = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_main_function_compiles_remotely_into_a_binary_that_runs()
    {
        var action = new RustAction("hello", """fn main() { println!("hello from the worker"); }""");

        var response = await hosts.ExecuteAsync(action, JobWait);

        Assert.Equal(0, response.Status?.Code ?? 0);
        var result = response.Result;
        Assert.True(result.ExitCode == 0, Encoding.UTF8.GetString(result.StderrRaw.ToByteArray()));
        Assert.Equal("worker-it", result.ExecutionMetadata.Worker);
        var binary = result.OutputFiles.Single(f => f.Path == action.BinaryPath);
        Assert.True(binary.IsExecutable);
        var local = Path.Combine(TemporaryDirectory.Create("hello-bin"), "hello");
        await hosts.Cas.DownloadFilesAsync([new FileDownload(binary.Digest, local, binary.IsExecutable)], CancellationToken.None);
        Assert.Equal("hello from the worker\n", Run(local));
        Assert.DoesNotContain(hosts.WorkDirectory, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(local)));

        // cargo's freshness check reads the dep-info: it must name the client's paths, not the sandbox's.
        var depInfo = (await hosts.Cas.ReadAsync(result.OutputFiles.Single(f => f.Path == action.DepInfoPath).Digest, CancellationToken.None)).ToStringUtf8();
        Assert.Contains($"{RustAction.ClientProject}/{action.BinaryPath}: src/main.rs", depInfo);
        Assert.DoesNotContain(hosts.WorkDirectory, depInfo);
        // rustc's artifact notifications too.
        var stderr = (await hosts.Cas.ReadAsync(result.StderrDigest, CancellationToken.None)).ToStringUtf8();
        Assert.Contains($"\"artifact\":\"{RustAction.ClientProject}/{action.BinaryPath}\"", stderr);
        Assert.DoesNotContain(hosts.WorkDirectory, stderr);
        // rustc reached the worker's jobserver from inside the sandbox; it warns when CARGO_MAKEFLAGS names one it cannot open.
        Assert.DoesNotContain("jobserver", stderr);
        AssertNoJobDirectoriesLeft();
    }

    [Fact]
    public async Task A_binary_links_against_an_rlib_that_an_earlier_job_built()
    {
        var library = new RustAction("greeting", """pub fn greet() -> &'static str { "hello through an rlib" }""", library: true);
        var built = await hosts.ExecuteAsync(library, JobWait);
        Assert.True(built.Result.ExitCode == 0, built.Result.StderrRaw.ToStringUtf8());
        var rlib = built.Result.OutputFiles.Single(f => f.Path == library.BinaryPath);

        var app = new RustAction("app", """fn main() { println!("{}", greeting::greet()); }""");
        app.AddExtern("greeting", library.BinaryPath, rlib.Digest);
        var response = await hosts.ExecuteAsync(app, JobWait);

        Assert.True(response.Result.ExitCode == 0, response.Result.StderrRaw.ToStringUtf8());
        var binary = response.Result.OutputFiles.Single(f => f.Path == app.BinaryPath);
        var local = Path.Combine(TemporaryDirectory.Create("app-bin"), "app");
        await hosts.Cas.DownloadFilesAsync([new FileDownload(binary.Digest, local, binary.IsExecutable)], CancellationToken.None);
        Assert.Equal("hello through an rlib\n", Run(local));
    }

    [Fact]
    public async Task A_compile_error_is_a_result_with_a_nonzero_exit_code_and_rustcs_message()
    {
        var action = new RustAction("broken", """fn main() { let x: i32 = "text"; println!("{x}"); }""");

        var response = await hosts.ExecuteAsync(action, JobWait);

        Assert.Equal(0, response.Status?.Code ?? 0);
        Assert.NotEqual(0, response.Result.ExitCode);
        var stderr = (await hosts.Cas.ReadAsync(response.Result.StderrDigest, CancellationToken.None)).ToStringUtf8();
        Assert.Contains("E0308", stderr);
        Assert.Contains("mismatched types", stderr);
        Assert.Contains("src/main.rs", stderr);
        Assert.Equal(stderr, response.Result.StderrRaw.ToStringUtf8());
        Assert.DoesNotContain(hosts.WorkDirectory, stderr);
    }

    [Fact]
    public async Task A_program_other_than_rustc_is_refused_and_never_runs()
    {
        var marker = Path.Combine(TemporaryDirectory.Create("refused"), "ran");
        var action = new RustAction("shell", "fn main() {}");
        action.Command.Arguments.Clear();
        action.Command.Arguments.AddRange(["/bin/sh", "-c", $"touch {marker}"]);

        var jobId = await hosts.PushToWorkerAsync(action);

        await hosts.Worker.WaitForOutputAsync($"Job {jobId} did not run: PermissionDenied this worker only runs rustc, not '/bin/sh'", JobWait);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Cancelling_a_job_kills_its_rustc_and_deletes_its_sandbox()
    {
        var crate = "spin_" + Guid.NewGuid().ToString("N")[..8];
        var jobId = await hosts.PushToWorkerAsync(new RustAction(crate, RustAction.EndlessCompile));
        Assert.True(await Processes.EventuallyAsync(() => Processes.AnyWithArgument(crate), JobWait), "rustc never started");

        await hosts.WorkerService.CancelJobAsync(new CancelJobRequest { JobId = jobId });

        Assert.False(Processes.AnyWithArgument(crate), "rustc still runs after CancelJob returned");
        await hosts.Worker.WaitForOutputAsync($"Job {jobId} did not run: Cancelled", JobWait);
        AssertNoJobDirectoriesLeft();
    }

    [Fact]
    public async Task A_job_past_its_timeout_is_killed_and_reported_as_deadline_exceeded()
    {
        var crate = "spin_" + Guid.NewGuid().ToString("N")[..8];
        var jobId = await hosts.PushToWorkerAsync(new RustAction(crate, RustAction.EndlessCompile), jobTimeout: TimeSpan.FromSeconds(3));

        await hosts.Worker.WaitForOutputAsync($"Job {jobId} did not run: DeadlineExceeded", JobWait);

        Assert.True(await Processes.EventuallyAsync(() => !Processes.AnyWithArgument(crate), TimeSpan.FromSeconds(10)), "rustc outlived its timeout");
    }

    [Fact]
    public async Task A_worker_with_every_slot_busy_answers_resource_exhausted()
    {
        var crate = "spin_" + Guid.NewGuid().ToString("N")[..8];
        var busy = await hosts.PushToWorkerAsync(new RustAction(crate, RustAction.EndlessCompile));
        try
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => hosts.PushToWorkerAsync(new RustAction("second", "fn main() {}")));
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        }
        finally
        {
            await hosts.WorkerService.CancelJobAsync(new CancelJobRequest { JobId = busy });
        }
    }

    private void AssertNoJobDirectoriesLeft()
    {
        var jobs = Path.Combine(hosts.WorkDirectory, "jobs");
        Assert.True(!System.IO.Directory.Exists(jobs) || !System.IO.Directory.EnumerateFileSystemEntries(jobs).Any(),
            "job directories left behind: " + string.Join(", ", System.IO.Directory.Exists(jobs) ? System.IO.Directory.GetDirectories(jobs) : []));
    }

    private static string Run(string path)
    {
        using var process = Process.Start(new ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), $"{path} did not exit");
        return output;
    }
}
