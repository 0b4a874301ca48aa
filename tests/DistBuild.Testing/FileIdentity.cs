using System.Diagnostics;

namespace DistBuild.Testing;

/// <summary>Which inode a path names, how many names it has and what it takes on disk: how a test sees a hard link. .NET exposes none of it, so `stat` answers.</summary>
public static class FileIdentity
{
    public static string Inode(string path) => Stat("%i", path);

    public static long LinkCount(string path) => long.Parse(Stat("%h", path), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>512-byte blocks the file takes on disk, its extended attributes' block included.</summary>
    public static long Blocks(string path) => long.Parse(Stat("%b", path), System.Globalization.CultureInfo.InvariantCulture);

    private static string Stat(string format, string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var value = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        if (stat.ExitCode != 0)
            throw new FileNotFoundException($"stat {path} failed", path);
        return value;
    }
}
