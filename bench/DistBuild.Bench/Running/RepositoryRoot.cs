namespace DistBuild.Bench.Running;

/// <summary>Finds the repository (the folder holding DistBuild.sln) from the tool's location or the current directory.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "DistBuild.sln")))
                    return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no DistBuild.sln above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
    }
}
