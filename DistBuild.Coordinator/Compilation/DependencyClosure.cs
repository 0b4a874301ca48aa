namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// The library artifacts a compile reads: its --extern files and, transitively, what those were built against
/// (rustc loads the metadata of indirect dependencies, and a link needs their rlibs). cargo passes only direct
/// dependencies, so after each library compile a sidecar `&lt;out-dir&gt;/lib&lt;stem&gt;.distbuild-deps` records the
/// absolute paths of that library's own closure; a dependent's closure is its --extern files plus their sidecars.
/// </summary>
public static class DependencyClosure
{
    public const string SidecarExtension = ".distbuild-deps";
    private static readonly string[] LibraryExtensions = [".rlib", ".rmeta", ".so"];

    /// <summary>The closure of a compile, and whether some --extern artifact had no sidecar (built without DistBuild).</summary>
    public sealed record Result(IReadOnlyList<string> Closure, IReadOnlyList<string> ExternsWithoutSidecar);

    public static Result Compute(RustcInvocation invocation)
    {
        var closure = new SortedSet<string>(StringComparer.Ordinal);
        var withoutSidecar = new List<string>();
        foreach (var (_, path) in invocation.Externs)
        {
            // A path-less --extern (proc_macro, std…) names a sysroot crate, which the worker's toolchain has.
            if (path is null)
                continue;
            var artifact = invocation.Absolute(path);
            closure.Add(artifact);
            var sidecar = SidecarPath(artifact);
            if (File.Exists(sidecar))
            {
                foreach (var line in File.ReadLines(sidecar))
                {
                    if (line.Length > 0)
                        closure.Add(line);
                }
            }
            else
            {
                withoutSidecar.Add(artifact);
            }
        }
        return new Result(closure.ToList(), withoutSidecar);
    }

    /// <summary>
    /// The files to put in the input tree for a closure: each entry, its .rmeta sibling and, for a compile that
    /// <paramref name="links"/> its dependencies, their .rlib siblings too (cargo may name the .rmeta of a dependency
    /// while a link needs the .rlib of every crate in the graph). A compile that does not link gets no .rlib it was not
    /// named: cargo starts it once the .rmeta files are there, so whether an .rlib exists yet (or is an older build's)
    /// depends on timing, and it must not change the action's inputs, nor its cache key.
    /// </summary>
    public static IReadOnlyList<string> InputFiles(IEnumerable<string> closure, bool links)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in closure)
        {
            if (File.Exists(entry))
                files.Add(entry);
            var directory = Path.GetDirectoryName(entry)!;
            var stem = Path.GetFileNameWithoutExtension(entry);
            foreach (var extension in links ? [".rlib", ".rmeta"] : new[] { ".rmeta" })
            {
                var sibling = Path.Combine(directory, stem + extension);
                if (File.Exists(sibling))
                    files.Add(sibling);
            }
        }
        return files.ToList();
    }

    /// <summary>
    /// What to send when a sidecar is missing: every library artifact in the `-L dependency=` directories, where
    /// rustc looks for indirect dependencies. Larger than needed, but always enough.
    /// </summary>
    public static IReadOnlyList<string> FallbackInputFiles(RustcInvocation invocation)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (kind, path) in invocation.SearchPaths)
        {
            var directory = invocation.Absolute(path);
            if (kind is not ("dependency" or "all") || !Directory.Exists(directory))
                continue;
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                if (LibraryExtensions.Contains(Path.GetExtension(file)))
                    files.Add(file);
            }
        }
        return files.ToList();
    }

    /// <summary>The sidecar beside a library artifact: same directory and stem (`libfoo-HASH`), extension .distbuild-deps.</summary>
    public static string SidecarPath(string artifactPath) =>
        Path.Combine(Path.GetDirectoryName(artifactPath)!, Path.GetFileNameWithoutExtension(artifactPath) + SidecarExtension);

    /// <summary>Records a library's closure after it compiled, for the crates that depend on it.</summary>
    public static void WriteSidecar(RustcInvocation invocation, IReadOnlyList<string> closure)
    {
        if (!invocation.IsLibrary || invocation.OutDir is null)
            return;
        var path = Path.Combine(invocation.Absolute(invocation.OutDir), $"lib{invocation.OutputStem}{SidecarExtension}");
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllLines(temporary, closure);
        File.Move(temporary, path, overwrite: true);
    }
}
