using System.CommandLine;
using DistBuild.Cli.Commands;

namespace DistBuild.Cli.Interactive;

/// <summary>
/// `distbuild` with no command: reads command lines from stdin after a `distbuild> ` prompt and runs each
/// through the same command tree. A failing command prints its error and the prompt continues; `exit` or
/// end of input leaves.
/// </summary>
public static class InteractivePrompt
{
    public const string Prompt = "distbuild> ";

    public static async Task<int> RunAsync(RootCommand root, CliSession session, ParseResult startup, CancellationToken cancellationToken)
    {
        var configuration = startup.InvocationConfiguration;
        if (session.IsInteractive)
        {
            // An option alone typed at the prompt (e.g. `--scheduler URL`) parses to the root command.
            await configuration.Error.WriteLineAsync("Type a command, `help` for the list, or `exit`.");
            return CommandActions.Failure;
        }

        // Lines that name no scheduler use the one the prompt was opened with, and its token and CA.
        session.SchedulerUrl = session.SchedulerUrlOf(startup);
        session.Token = session.TokenOf(startup);
        session.CaCertificate = session.CaCertificateOf(startup);
        session.IsInteractive = true;
        var output = configuration.Output;
        try
        {
            while (!session.ExitRequested && !cancellationToken.IsCancellationRequested)
            {
                await output.WriteAsync(Prompt);
                await output.FlushAsync(cancellationToken);
                var line = await session.Input.ReadLineAsync(cancellationToken);
                if (line is null)
                {
                    await output.WriteLineAsync();
                    break;
                }
                if (string.IsNullOrWhiteSpace(line))
                    continue;
                await RunLineAsync(root, line, configuration, cancellationToken);
            }
        }
        finally
        {
            session.IsInteractive = false;
        }
        return CommandActions.Success;
    }

    private static async Task RunLineAsync(RootCommand root, string line, InvocationConfiguration configuration, CancellationToken cancellationToken)
    {
        var parseResult = root.Parse(line);
        if (parseResult.Errors.Count > 0)
        {
            // A typo at the prompt gets its error, not the full help page one-shot runs print.
            foreach (var error in parseResult.Errors)
                await configuration.Error.WriteLineAsync("error: " + error.Message);
            await configuration.Error.WriteLineAsync("Type `help` for the commands.");
            return;
        }
        await parseResult.InvokeAsync(configuration, cancellationToken);
    }
}
