using Build.Bazel.Remote.Execution.V2;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.Protocol.InputTrees;

/// <summary>Checks a Directory message from an untrusted client against the standard's rules before anyone materialises it.</summary>
public static class DirectoryRules
{
    /// <summary>Null when the directory is valid, else a message saying which entry breaks which rule.</summary>
    public static string? Validate(Directory directory)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return CheckSorted(directory.Files.Select(f => f.Name), "file", seen)
            ?? CheckSorted(directory.Directories.Select(d => d.Name), "directory", seen)
            ?? CheckSorted(directory.Symlinks.Select(s => s.Name), "symlink", seen)
            ?? directory.Files.Select(f => Digests.Digests.TryValidate(f.Digest, out var e) ? null : $"file '{f.Name}': {e}").FirstOrDefault(e => e is not null)
            ?? directory.Directories.Select(d => Digests.Digests.TryValidate(d.Digest, out var e) ? null : $"directory '{d.Name}': {e}").FirstOrDefault(e => e is not null)
            ?? directory.Symlinks.Select(s => ValidateSymlinkTarget(s.Name, s.Target)).FirstOrDefault(e => e is not null);
    }

    /// <summary>
    /// A symlink may point anywhere inside the input tree; an absolute target, or one with more ".." than the
    /// link's depth allows, leaves it. The depth check happens where the tree is materialised, so here only
    /// absolute and empty targets are refused.
    /// </summary>
    public static string? ValidateSymlinkTarget(string name, string target) => target switch
    {
        "" => $"symlink '{name}' has an empty target",
        _ when target.StartsWith('/') => $"symlink '{name}' points to the absolute path '{target}', outside the input tree",
        _ => null,
    };

    /// <summary>
    /// A symlink in the directory at <paramref name="directoryPath"/> (relative to the input root) may climb with
    /// leading ".." no higher than that directory is deep, and may not climb again after descending: then no chain
    /// of links resolves outside the root, whatever the other links point to. The scheduler checks this before it
    /// accepts an action; workers check it again before they touch the disk.
    /// </summary>
    public static string? ValidateSymlinkPlacement(string directoryPath, SymlinkNode symlink)
    {
        if (ValidateSymlinkTarget(symlink.Name, symlink.Target) is { } error)
            return error;
        var depth = directoryPath.Length == 0 ? 0 : directoryPath.Split('/').Length;
        var components = symlink.Target.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var climbs = components.TakeWhile(c => c == "..").Count();
        var name = directoryPath.Length == 0 ? symlink.Name : directoryPath + "/" + symlink.Name;
        if (climbs > depth)
            return $"symlink '{name}' points to '{symlink.Target}', outside the input root";
        if (components.Skip(climbs).Any(c => c == ".."))
            return $"symlink '{name}' points to '{symlink.Target}': '..' is only allowed at the start of a target";
        return null;
    }

    private static string? CheckSorted(IEnumerable<string> names, string kind, HashSet<string> seen)
    {
        string? previous = null;
        foreach (var name in names)
        {
            if (PathComponents.ValidateName(name) is { } error)
                return $"{kind} entry: {error}";
            if (!seen.Add(name))
                return $"{kind} entry '{name}' appears more than once";
            if (previous is not null && string.CompareOrdinal(previous, name) > 0)
                return $"{kind} entries are not sorted by name ('{previous}' before '{name}')";
            previous = name;
        }
        return null;
    }
}
