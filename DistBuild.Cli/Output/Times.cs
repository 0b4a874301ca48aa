using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace DistBuild.Cli.Output;

/// <summary>Timestamps and durations as people read them in tables.</summary>
public static class Times
{
    /// <summary>An unset proto timestamp (absent or the epoch) is "not yet", not 1970.</summary>
    public static DateTimeOffset? From(Timestamp? timestamp) =>
        timestamp is null || (timestamp.Seconds == 0 && timestamp.Nanos == 0) ? null : timestamp.ToDateTimeOffset();

    public static string Format(DateTimeOffset? time) =>
        time is { } value ? value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string FormatDuration(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 0 } => "0s",
        { TotalSeconds: < 10 } => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s",
        { TotalMinutes: < 1 } => $"{(int)duration.TotalSeconds}s",
        { TotalHours: < 1 } => $"{(int)duration.TotalMinutes}m{duration.Seconds:00}s",
        _ => $"{(int)duration.TotalHours}h{duration.Minutes:00}m",
    };

    public static string FormatAgo(DateTimeOffset? time, DateTimeOffset now) =>
        time is { } value ? FormatDuration(now - value) + " ago" : "never";

    /// <summary>How long a job ran (or has been running, when it has not finished).</summary>
    public static string FormatRunTime(JobView job, DateTimeOffset now) => job.StartedAt switch
    {
        null => "-",
        { } started => FormatDuration((job.FinishedAt ?? now) - started),
    };
}
