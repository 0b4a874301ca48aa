using System.CommandLine;
using DistBuild.Cli.Commands;

namespace DistBuild.Cli.Tests.Harness;

/// <summary>The `distbuild` command tree run in the test process, with its output captured.</summary>
public sealed class InProcessCli
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public InProcessCli(string input = "", string schedulerUrl = "http://127.0.0.1:1")
    {
        Session = new CliSession(new StringReader(input), () => Stream.Null, schedulerUrl);
        Root = DistBuildCommands.Create(Session);
    }

    public CliSession Session { get; }
    public RootCommand Root { get; }
    public string Output => _output.ToString();
    public string Error => _error.ToString();

    public ParseResult Parse(params string[] arguments) => Root.Parse(arguments);

    public Task<int> InvokeAsync(params string[] arguments) =>
        Root.Parse(arguments).InvokeAsync(new InvocationConfiguration { Output = _output, Error = _error });
}
