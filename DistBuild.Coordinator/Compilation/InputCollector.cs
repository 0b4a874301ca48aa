namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// The files a compile reads, as absolute paths: the package's sources, everything under OUT_DIR, the dependency
/// closure of its --extern artifacts and the files in its `-L native=`/`-L all=` directories.
/// </summary>
public static class InputCollector
{
    /// <summary>Version-control and editor state: never read by rustc, and it changes all the time.</summary>
    private static readonly HashSet<string> SkippedDirectoryNames = new(StringComparer.Ordinal)
    {
        ".git", ".hg", ".svn", ".jj", ".bzr", "_darcs", ".pijul", ".sl", ".vs", ".vscode", ".idea",
    };

    /// <summary>MSBuild's output folders, skipped when a crate shares its directory with a project file: they change every build.</summary>
    private static readonly string[] MSBuildOutputNames = ["bin", "obj"];
    private static readonly string[] MSBuildProjectPatterns = ["*.csproj", "*.fsproj", "*.vbproj", "*.proj"];

    /// <summary>What to send and what the caller should know about it.</summary>
    public sealed record Result(IReadOnlyList<string> Files, IReadOnlyList<string> Directories, DependencyClosure.Result Closure, bool UsedFallback);

    public static Result Collect(RustcInvocation invocation, IReadOnlyDictionary<string, string> environment)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        var directories = new SortedSet<string>(StringComparer.Ordinal) { invocation.WorkingDirectory };

        if (environment.TryGetValue("CARGO_MANIFEST_DIR", out var manifestDirectory) && Directory.Exists(manifestDirectory))
            AddPackageSources(manifestDirectory, files);
        if (invocation.SourceFile is not null && File.Exists(invocation.Absolute(invocation.SourceFile)))
            files.Add(invocation.Absolute(invocation.SourceFile));

        if (environment.TryGetValue("OUT_DIR", out var outDir) && Directory.Exists(outDir))
        {
            directories.Add(outDir);
            foreach (var file in Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories))
                files.Add(file);
        }

        var closure = DependencyClosure.Compute(invocation);
        files.UnionWith(DependencyClosure.InputFiles(closure.Closure, invocation.LinksDependencies));
        var usedFallback = closure.ExternsWithoutSidecar.Count > 0;
        if (usedFallback)
            files.UnionWith(DependencyClosure.FallbackInputFiles(invocation));

        foreach (var (kind, path) in invocation.SearchPaths)
        {
            var directory = invocation.Absolute(path);
            // rustc is given these directories; they must exist in the sandbox for the worker to map them.
            directories.Add(directory);
            if (kind is "native" or "all" && Directory.Exists(directory))
                files.UnionWith(Directory.EnumerateFiles(directory));
        }

        // rustc writes into its out-dir and the directories of explicit outputs, but does not create them.
        foreach (var output in OutputPrediction.Predict(invocation))
            directories.Add(Path.GetDirectoryName(output)!);

        return new Result(files.ToList(), directories.ToList(), closure, usedFallback);
    }

    /// <summary>
    /// All files of the package, skipping VCS metadata, cargo target directories (marked by CACHEDIR.TAG, or the
    /// package's own `target/`), bin/ and obj/ beside an MSBuild project file, and nested packages (a subdirectory
    /// with its own Cargo.toml is another crate).
    /// </summary>
    private static void AddPackageSources(string manifestDirectory, SortedSet<string> files)
    {
        var besideProjectFile = MSBuildProjectPatterns.Any(pattern => Directory.EnumerateFiles(manifestDirectory, pattern).Any());
        var pending = new Stack<string>();
        pending.Push(manifestDirectory);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var file in Directory.EnumerateFiles(directory))
                files.Add(file);
            foreach (var child in Directory.EnumerateDirectories(directory))
            {
                var name = Path.GetFileName(child);
                if (SkippedDirectoryNames.Contains(name)
                    || (directory == manifestDirectory && (name == "target" || (besideProjectFile && MSBuildOutputNames.Contains(name))))
                    || new DirectoryInfo(child).LinkTarget is not null
                    || File.Exists(Path.Combine(child, "CACHEDIR.TAG"))
                    || File.Exists(Path.Combine(child, "Cargo.toml")))
                    continue;
                pending.Push(child);
            }
        }
    }
}
