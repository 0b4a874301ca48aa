using System.Runtime.InteropServices;

namespace DistBuild.Protocol.Cas;

/// <summary>Hard links through libc; .NET has no API for them.</summary>
public static partial class HardLinks
{
    /// <summary>Links <paramref name="target"/> to the existing file <paramref name="source"/>; false when the file system refuses (other device, link limit).</summary>
    public static bool TryCreate(string source, string target) => !OperatingSystem.IsWindows() && Link(source, target) == 0;

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string oldPath, string newPath);
}
