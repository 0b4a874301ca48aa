using DistBuild.Protocol.Diagnostics;

namespace DistBuild.Coordinator.Cargo;

/// <summary>A line of `cargo build --message-format=json` output that DistBuild acts on.</summary>
public abstract record CargoMessage;

/// <summary>A rustc diagnostic (reason "compiler-message"), already in MSBuild's terms; null when it carries nothing to show.</summary>
public sealed record CompilerDiagnosticMessage(BuildDiagnostic Diagnostic, string? Rendered) : CargoMessage;

/// <summary>A finished target (reason "compiler-artifact") and the files it produced.</summary>
public sealed record CompilerArtifactMessage(
    string PackageName,
    string TargetName,
    IReadOnlyList<string> TargetKinds,
    IReadOnlyList<string> Filenames,
    string? Executable,
    bool Fresh) : CargoMessage;

/// <summary>cargo's last line (reason "build-finished").</summary>
public sealed record BuildFinishedMessage(bool Success) : CargoMessage;
