using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Admin;

namespace DistBuild.Cli.Output;

/// <summary>A job as `distbuild` shows it; its JSON form (snake_case names) is a stable interface for scripts.</summary>
public sealed record JobView(
    string JobId,
    string State,
    string Description,
    string? WorkerId,
    int Attempts,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int? ExitCode,
    bool Cached,
    string? Error,
    string? WaitingReason,
    string? ActionDigest,
    IReadOnlyDictionary<string, string> Platform)
{
    public bool IsFinished => State is "COMPLETED" or "FAILED";

    public static JobView From(Job job)
    {
        var state = StateName(job.State);
        var finished = job.State is JobState.Completed or JobState.Failed;
        return new JobView(
            job.JobId,
            state,
            job.Description,
            NullIfEmpty(job.WorkerId),
            job.Attempts,
            Times.From(job.CreatedAt),
            Times.From(job.StartedAt),
            Times.From(job.FinishedAt),
            // exit_code 0 of an unfinished job means "not yet", not success.
            finished ? job.ExitCode : null,
            job.Cached,
            NullIfEmpty(job.Error),
            NullIfEmpty(job.WaitingReason),
            job.ActionDigest is null ? null : Protocol.Digests.Digests.Format(job.ActionDigest),
            PlatformMap(job.Platform));
    }

    /// <summary>The proto name of the state (PENDING, RUNNING, COMPLETED…), which people and scripts know.</summary>
    public static string StateName(JobState state) =>
        StateDescriptor.FindValueByNumber((int)state)?.Name ?? ((int)state).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly Google.Protobuf.Reflection.EnumDescriptor StateDescriptor =
        AdminReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(JobState));

    internal static IReadOnlyDictionary<string, string> PlatformMap(Platform? platform)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in platform?.Properties ?? [])
            map[property.Name] = property.Value;
        return map;
    }

    internal static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
