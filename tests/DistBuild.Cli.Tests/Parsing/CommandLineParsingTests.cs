using DistBuild.Cli.Commands;
using DistBuild.Cli.Tests.Harness;

namespace DistBuild.Cli.Tests.Parsing;

public sealed class CommandLineParsingTests
{
    private const string SomeDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/0";

    [Theory]
    [InlineData("workers", "list")]
    [InlineData("workers", "list", "--json")]
    [InlineData("jobs", "list", "--limit", "5", "--json")]
    [InlineData("job", "status", "abc", "--json")]
    [InlineData("job", "submit", SomeDigest, "--crate-type", "lib", "--edition", "2024")]
    [InlineData("cas", "put", "file.rs")]
    [InlineData("cas", "get", SomeDigest, "-o", "out.bin")]
    [InlineData("--scheduler", "http://10.0.0.1:8980", "workers", "list")]
    [InlineData("workers", "list", "--scheduler", "http://10.0.0.1:8980")]
    [InlineData("help")]
    [InlineData("help", "job", "submit")]
    [InlineData("exit")]
    public void Documented_command_lines_parse_without_errors(params string[] arguments)
    {
        var result = new InProcessCli().Parse(arguments);

        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("job", "submit", SomeDigest, "--crate-type", "dylib")]
    [InlineData("job", "submit", SomeDigest, "--edition", "2020")]
    [InlineData("job", "submit", SomeDigest, "--timeout", "0")]
    [InlineData("job", "submit")]
    [InlineData("job", "status")]
    [InlineData("jobs", "list", "--limit", "-1")]
    [InlineData("workers", "lst")]
    public void Invalid_command_lines_are_parse_errors(params string[] arguments)
    {
        var result = new InProcessCli().Parse(arguments);

        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void Scheduler_url_defaults_to_the_session_url_and_an_explicit_option_wins()
    {
        var cli = new InProcessCli(schedulerUrl: "http://127.0.0.1:7777");

        Assert.Equal("http://127.0.0.1:7777", cli.Session.SchedulerUrlOf(cli.Parse("workers", "list")));
        Assert.Equal("http://10.1.1.1:1", cli.Session.SchedulerUrlOf(cli.Parse("workers", "list", "--scheduler", "http://10.1.1.1:1")));
    }

    [Fact]
    public void Without_environment_the_scheduler_url_is_the_documented_default()
    {
        var previous = Environment.GetEnvironmentVariable(CliSession.SchedulerEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(CliSession.SchedulerEnvironmentVariable, null);
            Assert.Equal("http://127.0.0.1:8980", new CliSession(TextReader.Null, () => Stream.Null).SchedulerUrl);
            Environment.SetEnvironmentVariable(CliSession.SchedulerEnvironmentVariable, "http://sched:9000");
            Assert.Equal("http://sched:9000", new CliSession(TextReader.Null, () => Stream.Null).SchedulerUrl);
        }
        finally
        {
            Environment.SetEnvironmentVariable(CliSession.SchedulerEnvironmentVariable, previous);
        }
    }

    [Fact]
    public async Task Help_lists_every_command_group()
    {
        var cli = new InProcessCli();

        var exitCode = await cli.InvokeAsync("help");

        Assert.Equal(0, exitCode);
        foreach (var command in new[] { "workers", "jobs", "job", "cas", "help", "exit" })
            Assert.Contains(command, cli.Output);
    }

    [Fact]
    public async Task A_malformed_digest_is_one_error_line_and_exit_code_1()
    {
        var cli = new InProcessCli();

        var exitCode = await cli.InvokeAsync("cas", "get", "not-a-digest");

        Assert.Equal(1, exitCode);
        Assert.Equal("error: 'not-a-digest' is not a digest: expected HASH/SIZE", cli.Error.Trim());
    }

    [Fact]
    public async Task An_unreachable_scheduler_is_one_error_line_naming_it()
    {
        var cli = new InProcessCli(schedulerUrl: $"http://127.0.0.1:{ClosedPort.Find()}");

        var exitCode = await cli.InvokeAsync("workers", "list");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(cli.Error.Trim().Split('\n'));
        Assert.StartsWith($"error: cannot reach the scheduler at {cli.Session.SchedulerUrl}", line);
    }

    [Fact]
    public async Task A_scheduler_url_that_is_not_http_is_refused_clearly()
    {
        var cli = new InProcessCli(schedulerUrl: "localhost:8980");

        var exitCode = await cli.InvokeAsync("workers", "list");

        Assert.Equal(1, exitCode);
        Assert.Contains("is not a scheduler address", cli.Error);
    }
}
