using DistBuild.Cli.Interactive;
using DistBuild.Cli.Tests.Harness;

namespace DistBuild.Cli.Tests.Interactive;

public sealed class InteractivePromptTests
{
    [Fact]
    public async Task Errors_print_and_the_prompt_continues_until_exit()
    {
        var cli = new InProcessCli("workers lst\ncas get nope\nhelp\nexit\nworkers list\n", $"http://127.0.0.1:{ClosedPort.Find()}");

        var exitCode = await cli.InvokeAsync();

        Assert.Equal(0, exitCode);
        Assert.Equal(4, CountPrompts(cli.Output));
        Assert.Contains("Unrecognized command or argument 'lst'", cli.Error);
        Assert.Contains("'nope' is not a digest", cli.Error);
        Assert.Contains("Shows the commands", cli.Output);
        // `exit` ended the session: the line after it never ran.
        Assert.DoesNotContain("cannot reach the scheduler", cli.Error);
    }

    [Fact]
    public async Task End_of_input_leaves_the_prompt()
    {
        var cli = new InProcessCli("\n\n");

        var exitCode = await cli.InvokeAsync();

        Assert.Equal(0, exitCode);
        Assert.Equal(3, CountPrompts(cli.Output));
    }

    [Fact]
    public async Task Lines_without_scheduler_use_the_one_the_prompt_was_opened_with()
    {
        var port = ClosedPort.Find();
        var cli = new InProcessCli("workers list\nexit\n");

        await cli.InvokeAsync("--scheduler", $"http://127.0.0.1:{port}");

        Assert.Contains($"cannot reach the scheduler at http://127.0.0.1:{port}", cli.Error);
    }

    private static int CountPrompts(string output) =>
        output.Split(InteractivePrompt.Prompt).Length - 1;
}
