using DistBuild.Protocol.Coordination;

namespace DistBuild.Coordinator.Cargo;

/// <summary>
/// Picks the files a .NET project wants from a compiler-artifact message: executables of bin targets, and the
/// shared or static libraries of cdylib and staticlib targets (not rlibs, build scripts or tests).
/// </summary>
public static class RustArtifacts
{
    /// <summary>The RustArtifact items of a message, for the RustCrate item of <paramref name="manifestPath"/>.</summary>
    public static IEnumerable<ArtifactEvent> From(CompilerArtifactMessage artifact, string manifestPath) =>
        Select(artifact).Select(file => new ArtifactEvent(file.Path, file.Kind, artifact.TargetName, artifact.PackageName, manifestPath));

    /// <summary>(kind, path) pairs: kind is bin, cdylib or staticlib.</summary>
    public static IEnumerable<(string Kind, string Path)> Select(CompilerArtifactMessage artifact)
    {
        if (artifact.TargetKinds.Contains("bin") && artifact.Executable is { Length: > 0 } executable)
            yield return ("bin", executable);
        if (artifact.TargetKinds.Contains("cdylib"))
        {
            foreach (var file in artifact.Filenames.Where(IsSharedLibrary))
                yield return ("cdylib", file);
        }
        if (artifact.TargetKinds.Contains("staticlib"))
        {
            foreach (var file in artifact.Filenames.Where(f => f.EndsWith(".a", StringComparison.Ordinal) || f.EndsWith(".lib", StringComparison.OrdinalIgnoreCase)))
                yield return ("staticlib", file);
        }
    }

    /// <summary>
    /// False when a compiler-artifact line, as cargo printed it, cannot be of a kind <see cref="Select"/> picks: none
    /// of "bin", "cdylib" or "staticlib" appears in it as a whole JSON string. True does not mean it is one.
    /// </summary>
    public static bool MayNameSelectedKind(string artifactLine) =>
        artifactLine.Contains("\"bin\"", StringComparison.Ordinal)
        || artifactLine.Contains("\"cdylib\"", StringComparison.Ordinal)
        || artifactLine.Contains("\"staticlib\"", StringComparison.Ordinal);

    private static bool IsSharedLibrary(string file) =>
        file.EndsWith(".so", StringComparison.Ordinal)
        || file.EndsWith(".dylib", StringComparison.Ordinal)
        || (file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !file.EndsWith(".dll.lib", StringComparison.OrdinalIgnoreCase));
}
