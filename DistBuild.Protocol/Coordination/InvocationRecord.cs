namespace DistBuild.Protocol.Coordination;

/// <summary>One compile of the build, for the build report.</summary>
/// <param name="Crate">Crate name; for a build script, "PACKAGE build script".</param>
/// <param name="CrateTypes">"lib", "proc-macro", "bin"… joined with '+'.</param>
/// <param name="Kind">"remote" (a worker ran it), "cached" (action-cache hit) or "local" (this machine).</param>
/// <param name="Worker">The worker id for remote compiles.</param>
/// <param name="ExitCode">rustc's exit code (1 for an infrastructure failure without fallback).</param>
/// <param name="Seconds">Wall-clock time from the shim's call to the answer.</param>
/// <param name="Attempts">Starts of the compile: the scheduler's attempts on workers (more than 1 when a worker was lost
/// or failed and the job ran again), plus 1 when it then compiled locally as a fallback. 1 for a cache hit.</param>
/// <param name="Note">Why it ran locally, or what went wrong.</param>
/// <param name="Phases">Where a remote or cached compile's time went; null for local compiles.</param>
public sealed record InvocationRecord(
    string Crate,
    string CrateTypes,
    string Kind,
    string? Worker,
    int ExitCode,
    double Seconds,
    int Attempts,
    string? Note,
    CompilePhases? Phases = null)
{
    /// <summary>Starts beyond the first: retries after lost or failing workers, and a local fallback.</summary>
    public int Retries => Math.Max(0, Attempts - 1);
}
