using System.Text.Json;

namespace DistBuild.Cli.Output;

/// <summary>Prints jobs as tables, a detail page, or JSON.</summary>
public static class JobOutput
{
    public static void WriteTable(TextWriter writer, IReadOnlyList<JobView> jobs, DateTimeOffset now)
    {
        if (jobs.Count == 0)
        {
            writer.WriteLine("No jobs.");
            return;
        }
        TableWriter.Write(writer,
            ["JOB", "STATE", "WORKER", "ATTEMPTS", "EXIT", "CREATED", "RUN TIME", "DESCRIPTION"],
            jobs.Select(job => (IReadOnlyList<string>)
            [
                job.JobId,
                job.Cached ? job.State + " (cached)" : job.State,
                job.WorkerId ?? "-",
                job.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                job.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                Times.Format(job.CreatedAt),
                Times.FormatRunTime(job, now),
                job.Description,
            ]));
    }

    public static void WriteDetails(TextWriter writer, JobView job, DateTimeOffset now)
    {
        var fields = new List<(string, string)>
        {
            ("Job", job.JobId),
            ("State", job.State),
            ("Description", job.Description.Length > 0 ? job.Description : "-"),
            ("Worker", job.WorkerId ?? "-"),
            ("Attempts", job.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Created", Times.Format(job.CreatedAt)),
            ("Started", Times.Format(job.StartedAt)),
            ("Finished", Times.Format(job.FinishedAt)),
            ("Run time", Times.FormatRunTime(job, now)),
            ("Exit code", job.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"),
            ("Cached", job.Cached ? "yes (served from the action cache)" : "no"),
            ("Action", job.ActionDigest ?? "-"),
            ("Toolchain", job.Platform.Count == 0 ? "any" : string.Join(", ", job.Platform.Select(p => $"{p.Key}={p.Value}"))),
        };
        if (job.WaitingReason is not null)
            fields.Add(("Waiting", job.WaitingReason));
        if (job.Error is not null)
            fields.Add(("Error", job.Error));
        TableWriter.WriteFields(writer, fields);
    }

    public static void WriteJson(TextWriter writer, JobView job) =>
        writer.WriteLine(JsonSerializer.Serialize(job, CliJsonContext.Default.JobView));

    public static void WriteJson(TextWriter writer, IReadOnlyList<JobView> jobs) =>
        writer.WriteLine(JsonSerializer.Serialize(new JobList(jobs), CliJsonContext.Default.JobList));
}
