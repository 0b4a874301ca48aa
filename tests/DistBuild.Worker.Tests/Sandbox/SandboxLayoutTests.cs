using Build.Bazel.Remote.Execution.V2;
using DistBuild.Testing;
using DistBuild.Worker.Jobs;
using DistBuild.Worker.Sandbox;
using Grpc.Core;

namespace DistBuild.Worker.Tests.Sandbox;

public sealed class SandboxLayoutTests
{
    private static Command Command(string workingDirectory, params string[] outputs)
    {
        var command = new Command { WorkingDirectory = workingDirectory };
        command.Arguments.Add("rustc");
        command.OutputPaths.AddRange(outputs);
        return command;
    }

    [Fact]
    public void Outputs_are_relative_to_the_working_directory_inside_the_root()
    {
        var layout = SandboxLayout.For("/r", Command("home/me/proj", "target/debug/deps/libcore-1.rlib", "../shared/out.txt"));
        Assert.Equal("/r/home/me/proj", layout.WorkingDirectory);
        Assert.Equal(["/r/home/me/proj/target/debug/deps/libcore-1.rlib", "/r/home/me/shared/out.txt"], layout.Outputs.Select(o => o.Full));
    }

    [Theory]
    [InlineData("home/me", "../../../etc/passwd")]
    [InlineData("", "/etc/passwd")]
    [InlineData("..", "out")]
    public void An_output_path_or_working_directory_that_leaves_the_input_root_is_invalid(string workingDirectory, string output)
    {
        var failure = Assert.Throws<JobFailure>(() => SandboxLayout.For("/r", Command(workingDirectory, output)));
        Assert.Equal((int)StatusCode.InvalidArgument, failure.Status.Code);
    }

    [Fact]
    public void Preparing_creates_output_parents_and_unlinks_outputs_that_were_inputs()
    {
        var root = TemporaryDirectory.Create("layout");
        var layout = SandboxLayout.For(root, Command("proj", "target/deps/lib.rlib"));
        System.IO.Directory.CreateDirectory(Path.Combine(root, "proj/target/deps"));
        File.WriteAllText(Path.Combine(root, "proj/target/deps/lib.rlib"), "stale input");

        layout.Prepare();

        Assert.True(System.IO.Directory.Exists(Path.Combine(root, "proj/target/deps")));
        Assert.False(File.Exists(Path.Combine(root, "proj/target/deps/lib.rlib")));
    }

    [Theory]
    [InlineData("rustc", true)]
    [InlineData("/home/me/.cargo/bin/rustc", true)]
    [InlineData("/bin/sh", false)]
    [InlineData("rustc-evil", false)]
    public void Only_rustc_commands_run(string program, bool allowed)
    {
        var command = new Command();
        command.Arguments.Add(program);
        var failure = Record.Exception(() => CommandPolicy.Check(command));
        if (allowed)
            Assert.Null(failure);
        else
            Assert.Equal((int)StatusCode.PermissionDenied, Assert.IsType<JobFailure>(failure).Status.Code);
    }
}
