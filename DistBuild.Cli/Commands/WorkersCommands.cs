using System.CommandLine;
using DistBuild.Cli.Output;
using DistBuild.Protocol.Admin;

namespace DistBuild.Cli.Commands;

/// <summary>`workers list [--json]`: the workers the scheduler knows, with their slots, toolchain and last heartbeat.</summary>
public static class WorkersCommands
{
    public static Command Create(CliSession session)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var list = new Command("list", "Lists the registered workers") { json };
        list.SetAction(CommandActions.Guarded(session, async (parseResult, cancellationToken) =>
        {
            using var connection = session.Connect(parseResult);
            var response = await connection.Admin.ListWorkersAsync(new ListWorkersRequest(), deadline: SchedulerConnection.Deadline, cancellationToken: cancellationToken);
            var workers = response.Workers.Select(WorkerView.From).ToList();
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json))
                WorkerOutput.WriteJson(output, workers);
            else
                WorkerOutput.WriteTable(output, workers, DateTimeOffset.UtcNow);
            return CommandActions.Success;
        }));
        return new Command("workers", "Workers registered with the scheduler") { list };
    }
}
