namespace DistBuild.Testing;

/// <summary>Temporary directories for tests, under one root so a run's leftovers are easy to find and delete.</summary>
public static class TemporaryDirectory
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "distbuild-tests");

    public static string Create(string purpose)
    {
        var path = Path.Combine(Root, $"{purpose}-{Guid.NewGuid().ToString("N")[..12]}");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
