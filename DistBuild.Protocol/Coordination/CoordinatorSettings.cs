namespace DistBuild.Protocol.Coordination;

/// <summary>Where and how the coordinator sends compiles.</summary>
/// <param name="SchedulerUrl">REAPI endpoint, e.g. http://127.0.0.1:8980 (empty for the embedded scheduler, whose URL the coordinator gets once it has started).</param>
/// <param name="InstanceName">REAPI instance name ("" for the default instance).</param>
/// <param name="Token">Bearer token sent as `authorization: Bearer …` metadata when set; never logged.</param>
/// <param name="LocalFallback">When the scheduler cannot run a compile, compile locally with a warning instead of failing.</param>
/// <param name="JobTimeout">Action.timeout; null leaves it to the server.</param>
public sealed record CoordinatorSettings(
    string SchedulerUrl,
    string InstanceName,
    string? Token,
    bool LocalFallback,
    TimeSpan? JobTimeout)
{
    /// <summary>PEM file of the CA an https scheduler's certificate must chain to; null uses DISTBUILD_CA_CERT, then the system's roots.</summary>
    public string? CaCertificate { get; init; }

    /// <summary>
    /// The CAS directory of a DistBuild scheduler on this machine (the embedded one): outputs are copied from it,
    /// verified, instead of downloaded. Null downloads everything (a remote scheduler, another REAPI server).
    /// </summary>
    public string? LocalCasDirectory { get; init; }

    /// <summary>Where rustc's answers to cargo's queries (`-vV`, `--print`) are kept across builds; null keeps them for one build.</summary>
    public string? ProbeCacheDirectory { get; init; }

    // The token stays out of logs and exception messages that print the settings.
    public override string ToString() =>
        $"CoordinatorSettings {{ SchedulerUrl = {SchedulerUrl}, InstanceName = {InstanceName}, Token = {(Token is null ? "(none)" : "(set)")}, LocalFallback = {LocalFallback}, JobTimeout = {JobTimeout}, CaCertificate = {CaCertificate ?? "(none)"}, LocalCasDirectory = {LocalCasDirectory ?? "(none)"}, ProbeCacheDirectory = {ProbeCacheDirectory ?? "(none)"} }}";
}
