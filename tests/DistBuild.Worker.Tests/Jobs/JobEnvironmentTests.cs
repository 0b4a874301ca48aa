using System.Collections;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Worker.Jobs;
using DistBuild.Worker.Sandbox;

namespace DistBuild.Worker.Tests.Jobs;

public sealed class JobEnvironmentTests
{
    [Fact]
    public void Worker_cargo_and_rust_variables_are_dropped_and_the_commands_win_with_paths_in_the_sandbox()
    {
        var worker = new Hashtable { ["PATH"] = "/usr/bin", ["CARGO_HOME"] = "/x", ["RUSTC_WRAPPER"] = "/shim", ["RUST_LOG"] = "debug", ["RUSTUP_HOME"] = "/r", ["OUT_DIR"] = "/worker" };
        var command = new Command();
        command.EnvironmentVariables.Add(new Command.Types.EnvironmentVariable { Name = "CARGO_PKG_NAME", Value = "core" });
        command.EnvironmentVariables.Add(new Command.Types.EnvironmentVariable { Name = "OUT_DIR", Value = "/home/me/proj/target/out" });
        var rewriter = new PathRewriter("/root", path => path == "/root/home/me/proj/target/out");

        var environment = JobEnvironment.Build(worker, command, rewriter, "/job/tmp", "-j2 --jobserver-auth=fifo:/work/jobserver/jobserver-1");

        Assert.Equal("/usr/bin", environment["PATH"]);
        Assert.Equal("/r", environment["RUSTUP_HOME"]);
        Assert.False(environment.ContainsKey("CARGO_HOME"));
        Assert.False(environment.ContainsKey("RUSTC_WRAPPER"));
        Assert.False(environment.ContainsKey("RUST_LOG"));
        Assert.Equal("core", environment["CARGO_PKG_NAME"]);
        Assert.Equal("/root/home/me/proj/target/out", environment["OUT_DIR"]);
        Assert.Equal("/job/tmp", environment["TMPDIR"]);
        Assert.Equal("-j2 --jobserver-auth=fifo:/work/jobserver/jobserver-1", environment["CARGO_MAKEFLAGS"]);
    }

    [Fact]
    public void A_jobserver_the_command_names_is_replaced_by_the_workers()
    {
        var command = new Command();
        command.EnvironmentVariables.Add(new Command.Types.EnvironmentVariable { Name = "CARGO_MAKEFLAGS", Value = "-j8 --jobserver-fds=3,4" });

        var environment = JobEnvironment.Build(new Hashtable(), command, new PathRewriter("/root", _ => false), "/job/tmp", "-j1 --jobserver-auth=fifo:/w/jobserver/jobserver-1");

        Assert.Equal("-j1 --jobserver-auth=fifo:/w/jobserver/jobserver-1", environment["CARGO_MAKEFLAGS"]);
    }

    [Theory]
    [InlineData("job-1", "job-1")]
    [InlineData("../../etc", ".._.._etc")]
    [InlineData("..", "_..")]
    public void Job_directory_names_cannot_leave_the_jobs_folder(string jobId, string expected) =>
        Assert.Equal(expected, JobRunner.DirectoryNameFor(jobId));
}
