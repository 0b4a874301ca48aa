using Build.Bazel.Remote.Execution.V2;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;
using DistBuild.Protocol.Digests;

namespace DistBuild.Protocol.InputTrees;

/// <summary>
/// Builds a REAPI Merkle input tree from files keyed by their path under the input root.
/// Directory entries come out sorted by name, as the standard requires, so equal inputs give equal digests.
/// </summary>
public sealed class InputTreeBuilder
{
    private readonly DirectoryEntry _root = new();

    /// <summary>Adds a file under the input root, e.g. "home/me/proj/src/lib.rs". A later add of the same path wins.</summary>
    public void AddFile(string relativePath, BlobSource content, bool isExecutable)
    {
        var components = PathComponents.Split(relativePath);
        var directory = _root;
        foreach (var name in components[..^1])
        {
            if (directory.Files.ContainsKey(name))
                throw new ArgumentException($"'{relativePath}' needs '{name}' to be a directory, but a file of that name was added");
            directory = directory.Subdirectories.TryGetValue(name, out var child) ? child : directory.Subdirectories[name] = new DirectoryEntry();
        }
        if (directory.Subdirectories.ContainsKey(components[^1]))
            throw new ArgumentException($"'{relativePath}' is already a directory");
        directory.Files[components[^1]] = (content, isExecutable);
    }

    /// <summary>Adds an empty directory (rustc's --out-dir must exist before it writes there).</summary>
    public void AddDirectory(string relativePath)
    {
        var directory = _root;
        foreach (var name in PathComponents.Split(relativePath))
            directory = directory.Subdirectories.TryGetValue(name, out var child) ? child : directory.Subdirectories[name] = new DirectoryEntry();
    }

    /// <summary>The root digest and every blob the tree references (Directory messages and file contents).</summary>
    public InputTree Build()
    {
        var blobs = new Dictionary<string, BlobSource>();
        var rootDigest = BuildDirectory(_root, blobs);
        return new InputTree(rootDigest, blobs.Values.ToList());
    }

    private static Digest BuildDirectory(DirectoryEntry entry, Dictionary<string, BlobSource> blobs)
    {
        var directory = new Directory();
        foreach (var (name, child) in entry.Subdirectories.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            directory.Directories.Add(new DirectoryNode { Name = name, Digest = BuildDirectory(child, blobs) });
        foreach (var (name, (content, isExecutable)) in entry.Files.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            directory.Files.Add(new FileNode { Name = name, Digest = content.Digest, IsExecutable = isExecutable });
            blobs.TryAdd(content.Digest.Key(), content);
        }
        var blob = BlobSource.FromMessage(directory);
        blobs.TryAdd(blob.Digest.Key(), blob);
        return blob.Digest;
    }

    private sealed class DirectoryEntry
    {
        public Dictionary<string, DirectoryEntry> Subdirectories { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, (BlobSource Content, bool IsExecutable)> Files { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>A built input tree: its root digest and the blobs a CAS must hold for it.</summary>
public sealed record InputTree(Digest RootDigest, IReadOnlyList<BlobSource> Blobs);
