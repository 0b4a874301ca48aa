using System.CommandLine;

namespace DistBuild.Cli.Commands;

/// <summary>`help [COMMAND…]` and `exit`: the commands that steer the CLI itself, mostly typed at the prompt.</summary>
public static class SessionCommands
{
    public static Command CreateHelp(RootCommand root)
    {
        var path = new Argument<string[]>("command") { Description = "The command to describe, e.g. `job submit`", Arity = ArgumentArity.ZeroOrMore };
        var help = new Command("help", "Shows the commands, or how to use one of them") { path };
        help.SetAction((parseResult, cancellationToken) =>
            root.Parse([.. parseResult.GetValue(path) ?? [], "--help"]).InvokeAsync(parseResult.InvocationConfiguration, cancellationToken));
        return help;
    }

    public static Command CreateExit(CliSession session)
    {
        var exit = new Command("exit", "Leaves the interactive prompt");
        exit.Aliases.Add("quit");
        exit.SetAction(_ => session.ExitRequested = true);
        return exit;
    }
}
