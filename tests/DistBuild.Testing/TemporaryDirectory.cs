namespace DistBuild.Testing;

/// <summary>
/// Temporary directories for tests, under one root so a run's leftovers are easy to find. Tests do not delete what
/// they made (a failed test's files are the evidence); the first directory a test process creates sweeps away the
/// leftovers of runs long over instead, so a machine that runs the suite all day does not fill its disk.
/// </summary>
public static class TemporaryDirectory
{
    /// <summary>Older than any run of the suite (CI allows 90 minutes); younger ones may belong to a run in progress.</summary>
    public static readonly TimeSpan LeftoverAge = TimeSpan.FromHours(6);

    private static readonly Lazy<int> Swept = new(() => SweepOlderThan(LeftoverAge));

    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "distbuild-tests");

    public static string Create(string purpose)
    {
        _ = Swept.Value;
        var path = Path.Combine(Root, $"{purpose}-{Guid.NewGuid().ToString("N")[..12]}");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes the directories under <see cref="Root"/> not written to for <paramref name="age"/>; returns how many.</summary>
    public static int SweepOlderThan(TimeSpan age)
    {
        if (!System.IO.Directory.Exists(Root))
            return 0;
        var deleted = 0;
        foreach (var directory in new DirectoryInfo(Root).EnumerateDirectories())
        {
            if (DateTime.UtcNow - directory.LastWriteTimeUtc < age)
                continue;
            try
            {
                directory.Delete(recursive: true);
                deleted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process's, or read-only inside: left for a later sweep.
            }
        }
        return deleted;
    }
}
