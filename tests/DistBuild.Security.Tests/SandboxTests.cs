using System.Net;
using System.Net.Sockets;
using DistBuild.Protocol.Channels;
using DistBuild.Security.Tests.Support;
using DistBuild.Testing;

namespace DistBuild.Security.Tests;

/// <summary>
/// Code that runs inside a worker's rustc (a proc macro) must not reach outside its job: each case runs once in the
/// sandbox, where it must fail, and once with Worker:Sandbox=None, where it must succeed, so the test can fail.
/// These tests need bubblewrap (`apt-get install bubblewrap`), which the CI install script provides.
/// </summary>
public sealed class SandboxTests
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData("Bubblewrap", false)]
    [InlineData("None", true)]
    public async Task A_proc_macro_writes_outside_its_job_directory_only_without_the_sandbox(string sandbox, bool escapes)
    {
        var target = $"/tmp/distbuild-escape-{Guid.NewGuid():N}";
        try
        {
            var action = await RustActions.ProcMacroUseAsync(
                $$"""if let Err(e) = std::fs::write("{{target}}", "escaped") { panic!("distbuild-escape: writing {{target}} failed: {e}"); }""");
            var (exitCode, stderr) = await CompileAsync(sandbox, action);

            Assert.Equal(escapes, File.Exists(target));
            if (escapes)
                Assert.True(exitCode == 0, stderr);
            else
            {
                Assert.NotEqual(0, exitCode);
                Assert.Contains($"writing {target} failed", stderr);
                Assert.Contains("Read-only file system", stderr);
            }
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Theory]
    [InlineData("Bubblewrap", false)]
    [InlineData("None", true)]
    public async Task A_proc_macro_opens_a_tcp_connection_only_without_the_sandbox(string sandbox, bool connects)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var action = await RustActions.ProcMacroUseAsync(
            $$"""if let Err(e) = std::net::TcpStream::connect("127.0.0.1:{{port}}") { panic!("distbuild-escape: connecting to port {{port}} failed: {e}"); }""");
        var (exitCode, stderr) = await CompileAsync(sandbox, action);

        Assert.Equal(connects, listener.Pending());
        if (connects)
            Assert.True(exitCode == 0, stderr);
        else
        {
            Assert.NotEqual(0, exitCode);
            Assert.Contains($"connecting to port {port} failed", stderr);
        }
    }

    [Fact]
    public async Task A_worker_killed_with_sigkill_leaves_no_sandboxed_rustc_behind()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "doomed", "--Worker:Sandbox=Bubblewrap");
        try
        {
            using var channel = GrpcChannels.Create(scheduler.Url);
            var marker = $"sleeper{Guid.NewGuid():N}"[..20];
            // The crate name is in rustc's command line, so its processes can be found in /proc.
            var action = await RustActions.ProcMacroUseAsync("std::thread::sleep(std::time::Duration::from_secs(300));", marker);
            var execution = RustActions.ExecuteAsync(channel, action, JobTimeout);

            // bwrap's own command line holds the marker too; wait for rustc itself, past bwrap's set-up (whose
            // --die-with-parent is armed only once bwrap has started: a kill in its first instant is not covered).
            await Poll.UntilAsync(() => RustcProcesses(marker).Any(pid => Describe(pid).StartsWith("rustc ", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(60), () => $"no rustc for {marker} started:\n{worker.Output}");
            worker.Signal("KILL");
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await Poll.UntilAsync(() => RustcProcesses(marker).Count == 0, TimeSpan.FromSeconds(15),
                () => $"rustc outlived its worker: {string.Join(", ", RustcProcesses(marker).Select(pid => $"{pid} ({Describe(pid)})"))}");
            _ = execution.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        finally
        {
            await worker.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_worker_that_must_sandbox_but_cannot_refuses_to_start_and_says_how_to_fix_it()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestHosts.StartWorkerProcessAsync(scheduler.Url, "no-bwrap", null, "--Worker:Sandbox=Bubblewrap", "--Worker:Bubblewrap=/nonexistent/bwrap"));
        Assert.Contains("apt-get install bubblewrap", failure.Message);
        Assert.Contains("--Worker:Sandbox=None", failure.Message);
    }

    [Fact]
    public async Task The_worker_says_at_start_whether_it_sandboxes()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        await using (var sandboxed = await TestHosts.StartWorkerAsync(scheduler.Url, "sandboxed", "--Worker:Sandbox=Bubblewrap"))
            Assert.Contains("sandboxed with bubblewrap", sandboxed.Output);
        await using (var open = await TestHosts.StartWorkerAsync(scheduler.Url, "open", "--Worker:Sandbox=None"))
            Assert.Contains("not sandboxed", open.Output);
    }

    private static async Task<(int ExitCode, string Stderr)> CompileAsync(string sandbox, PreparedAction action)
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "sandbox-" + sandbox.ToLowerInvariant(), $"--Worker:Sandbox={sandbox}");
        using var channel = GrpcChannels.Create(scheduler.Url);
        var response = await RustActions.ExecuteAsync(channel, action, JobTimeout);
        Assert.True(response.Status is null || response.Status.Code == 0, $"the job did not run: {response.Status}\n{worker.Output}");
        return (response.Result.ExitCode, await RustActions.StderrAsync(channel, response.Result));
    }

    private static List<int> RustcProcesses(string marker)
    {
        var found = new List<int>();
        foreach (var directory in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline"));
                if (commandLine.Contains(marker, StringComparison.Ordinal) && !commandLine.Contains("dotnet", StringComparison.Ordinal))
                    found.Add(pid);
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>"COMM state S ppid N" from /proc, for waiting on the right process and for failure messages.</summary>
    private static string Describe(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            return $"{stat[(open + 1)..close]} state {fields[0]} ppid {fields[1]}";
        }
        catch (IOException)
        {
            return "gone";
        }
    }
}
