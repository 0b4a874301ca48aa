using System.CommandLine;
using DistBuild.Cli.Interactive;

namespace DistBuild.Cli.Commands;

/// <summary>The command tree of `distbuild`, shared by one-shot runs and the interactive prompt.</summary>
public static class DistBuildCommands
{
    public static RootCommand Create(CliSession session)
    {
        var root = new RootCommand("Administers a DistBuild scheduler: its workers, jobs and content-addressable store.");
        root.Options.Add(session.SchedulerOption);
        root.Options.Add(session.TokenOption);
        root.Options.Add(session.CaCertificateOption);
        root.Subcommands.Add(WorkersCommands.Create(session));
        root.Subcommands.Add(JobsCommands.Create(session));
        root.Subcommands.Add(JobCommands.Create(session));
        root.Subcommands.Add(CasCommands.Create(session));
        root.Subcommands.Add(SessionCommands.CreateHelp(root));
        root.Subcommands.Add(SessionCommands.CreateExit(session));
        root.SetAction((parseResult, cancellationToken) => InteractivePrompt.RunAsync(root, session, parseResult, cancellationToken));
        return root;
    }
}
