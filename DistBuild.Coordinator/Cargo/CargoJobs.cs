using System.Globalization;

namespace DistBuild.Coordinator.Cargo;

/// <summary>
/// How many jobs cargo runs at once (CARGO_BUILD_JOBS). cargo's default is one per local core, which is right when
/// every compile runs here; behind DistBuild a compile waits for its upload, the queue and its outputs, and cores sit
/// idle meanwhile, so a distributed build runs twice as many (as distcc's advice to run `make` with more jobs than
/// cores). More than that also runs more build scripts at once on this machine, which is why it is not more.
/// </summary>
public static class CargoJobs
{
    public const string Variable = "CARGO_BUILD_JOBS";

    /// <summary>
    /// The CARGO_BUILD_JOBS value to give cargo, or null to leave cargo's own choice (its default, the user's
    /// CARGO_BUILD_JOBS or build.jobs). <paramref name="requested"/> is DistBuildCargoJobs; a positive number wins.
    /// </summary>
    public static string? Choose(string? requested, bool distributed, int processorCount, string? inEnvironment)
    {
        if (int.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out var jobs) && jobs > 0)
            return jobs.ToString(CultureInfo.InvariantCulture);
        if (!distributed || !string.IsNullOrEmpty(inEnvironment))
            return null;
        return (2 * Math.Max(1, processorCount)).ToString(CultureInfo.InvariantCulture);
    }
}
