using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace DistBuild.Tasks.Cargo;

/// <summary>
/// Picks the files a .NET project wants from a compiler-artifact message: executables of bin targets, and the
/// shared or static libraries of cdylib and staticlib targets (not rlibs, build scripts or tests).
/// </summary>
public static class RustArtifacts
{
    public static IEnumerable<ITaskItem> From(CompilerArtifactMessage artifact, string manifestPath)
    {
        foreach (var (kind, path) in Select(artifact))
        {
            var item = new TaskItem(path);
            item.SetMetadata("Kind", kind);
            item.SetMetadata("Crate", artifact.TargetName);
            item.SetMetadata("Package", artifact.PackageName);
            item.SetMetadata("RustCrate", manifestPath);
            yield return item;
        }
    }

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
