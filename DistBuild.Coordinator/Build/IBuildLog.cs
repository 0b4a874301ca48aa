using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Diagnostics;

namespace DistBuild.Coordinator.Build;

/// <summary>
/// Where a <see cref="CargoBuild"/> reports, in MSBuild's terms: errors, warnings and messages, and the RustArtifact
/// items. In the coordinator process each becomes a <see cref="BuildEvent"/> line that the task relays to MSBuild.
/// </summary>
public interface IBuildLog : ICompileLog
{
    /// <summary>Whether an error was reported.</summary>
    bool HasErrors { get; }

    /// <summary>A DISTB error, against <paramref name="file"/> when there is one to point at.</summary>
    void Error(string code, string? file, string message);

    /// <summary>A rustc or cargo diagnostic.</summary>
    void Report(BuildDiagnostic diagnostic);

    /// <summary>Minimal verbosity: the build's one-line summary.</summary>
    void High(string message);

    void Artifact(ArtifactEvent artifact);
}
