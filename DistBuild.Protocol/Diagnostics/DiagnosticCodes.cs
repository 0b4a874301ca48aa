namespace DistBuild.Protocol.Diagnostics;

/// <summary>
/// DistBuild's own diagnostic codes. They are stable: documentation and users' NoWarn lists refer to them.
/// Keep DistBuild.Sdk/README.md's table in step when adding one.
/// </summary>
public static class DiagnosticCodes
{
    /// <summary>A RustCrate item names a Cargo.toml that does not exist.</summary>
    public const string ManifestNotFound = "DISTB0001";

    /// <summary>cargo itself failed (bad manifest, unresolvable dependency, lock file problem…).</summary>
    public const string CargoError = "DISTB0002";

    /// <summary>The configured scheduler did not answer and local fallback is off.</summary>
    public const string SchedulerUnreachable = "DISTB0003";

    /// <summary>The rustc shim (RUSTC_WRAPPER) is missing from the SDK.</summary>
    public const string ShimNotFound = "DISTB0004";

    /// <summary>The embedded scheduler or worker could not be started.</summary>
    public const string EmbeddedStartFailed = "DISTB0005";

    /// <summary>cargo could not be started (not installed or not on PATH).</summary>
    public const string CargoNotFound = "DISTB0006";

    /// <summary>cargo failed without saying why in a form DistBuild recognises.</summary>
    public const string CargoFailed = "DISTB0007";

    /// <summary>The build report could not be written.</summary>
    public const string ReportNotWritten = "DISTB0008";

    /// <summary>Distribution is off for this build: compiling locally instead (warning).</summary>
    public const string CompilingLocally = "DISTB0009";

    /// <summary>A warning printed by cargo itself (not by rustc).</summary>
    public const string CargoWarning = "DISTB0010";

    /// <summary>The build was cancelled.</summary>
    public const string Cancelled = "DISTB0011";

    /// <summary>A crate compiled locally because the scheduler was unreachable and local fallback is on (warning).</summary>
    public const string CompiledLocally = "DISTB0012";

    /// <summary>The configured scheduler URL answers, but not as a REAPI scheduler (a web server, another gRPC service).</summary>
    public const string SchedulerNotReapi = "DISTB0013";

    /// <summary>The coordinator process (which serves cargo's rustc shims) could not start, crashed, or would not stop.</summary>
    public const string CoordinatorFailed = "DISTB0014";
}
