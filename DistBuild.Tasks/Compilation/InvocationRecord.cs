namespace DistBuild.Tasks.Compilation;

/// <summary>One compile of the build, for the build report.</summary>
/// <param name="Crate">Crate name; for a build script, "PACKAGE build script".</param>
/// <param name="CrateTypes">"lib", "proc-macro", "bin"… joined with '+'.</param>
/// <param name="Kind">"remote" (a worker ran it), "cached" (action-cache hit) or "local" (this machine).</param>
/// <param name="Worker">The worker id for remote compiles.</param>
/// <param name="ExitCode">rustc's exit code (1 for an infrastructure failure without fallback).</param>
/// <param name="Seconds">Wall-clock time from the shim's call to the answer.</param>
/// <param name="Attempts">1, or 2 when a failed remote attempt was followed by a local compile.</param>
/// <param name="Note">Why it ran locally, or what went wrong.</param>
public sealed record InvocationRecord(
    string Crate,
    string CrateTypes,
    string Kind,
    string? Worker,
    int ExitCode,
    double Seconds,
    int Attempts,
    string? Note);
