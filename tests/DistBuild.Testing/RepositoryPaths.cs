namespace DistBuild.Testing;

/// <summary>Locates the repository and the build output of its hosts, so tests run what was just built.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the tests themselves were built in (Debug or Release).</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    /// <summary>Path of a host's main assembly, e.g. HostAssembly("DistBuild.Scheduler").</summary>
    public static string HostAssembly(string project, string? assemblyName = null)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", (assemblyName ?? project) + ".dll");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} does not exist; build the solution first", path);
        return path;
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DistBuild.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no DistBuild.sln above {AppContext.BaseDirectory}");
    }
}
