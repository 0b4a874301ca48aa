using System.CommandLine;
using DistBuild.Cli.Output;
using DistBuild.Protocol.Admin;

namespace DistBuild.Cli.Commands;

/// <summary>`jobs list [--limit N] [--json]`: the scheduler's jobs, newest first.</summary>
public static class JobsCommands
{
    public static Command Create(CliSession session)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many jobs (0: the scheduler's default)", HelpName = "N" };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
                result.AddError("--limit cannot be negative");
        });
        var list = new Command("list", "Lists jobs, newest first") { limit, json };
        list.SetAction(CommandActions.Guarded(session, async (parseResult, cancellationToken) =>
        {
            using var connection = session.Connect(parseResult);
            var response = await connection.Admin.ListJobsAsync(new ListJobsRequest { Limit = parseResult.GetValue(limit) },
                deadline: SchedulerConnection.Deadline, cancellationToken: cancellationToken);
            var jobs = response.Jobs.Select(JobView.From).ToList();
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json))
                JobOutput.WriteJson(output, jobs);
            else
                JobOutput.WriteTable(output, jobs, DateTimeOffset.UtcNow);
            return CommandActions.Success;
        }));
        return new Command("jobs", "Jobs the scheduler knows") { list };
    }
}
