using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.InputTrees;
using DistBuild.Worker.BlobCache;
using DistBuild.Worker.Jobs;
using Grpc.Core;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.Worker.Sandbox;

/// <summary>
/// Lays an input tree out on disk: fetches its Directory messages and files through the local blob cache,
/// checks every Directory against the standard's rules and that no symlink leads out of the root, then
/// creates the directories and hard-links the files from the cache (copying only where a link fails).
/// </summary>
public sealed class TreeMaterializer(LocalBlobCache cache, ICasStore store)
{
    /// <summary>Materialises the tree whose root Directory has <paramref name="rootDigest"/> under the existing directory <paramref name="root"/>.</summary>
    public async Task MaterializeAsync(Digest rootDigest, string root, CancellationToken cancellationToken)
    {
        if (!Protocol.Digests.Digests.TryValidate(rootDigest, out var digestError))
            throw JobFailure.Of(StatusCode.InvalidArgument, $"input root digest: {digestError}");

        // Fetch level by level so each level's Directory messages come in one round trip.
        var directories = new List<(string RelativePath, Directory Directory)>();
        var level = new List<(string RelativePath, Digest Digest)> { ("", rootDigest) };
        while (level.Count > 0)
        {
            await cache.EnsureAsync(store, level.Select(d => d.Digest), cancellationToken);
            var next = new List<(string, Digest)>();
            foreach (var (relativePath, digest) in level)
            {
                var directory = ReadDirectory(digest, relativePath);
                directories.Add((relativePath, directory));
                foreach (var child in directory.Directories)
                    next.Add((Join(relativePath, child.Name), child.Digest));
            }
            level = next;
        }

        // An executable whose executable entry is cached (a proc macro this worker built) needs no plain blob.
        var files = directories.SelectMany(d => d.Directory.Files)
            .Where(f => !(f.IsExecutable && cache.HasExecutable(f.Digest)))
            .Select(f => f.Digest)
            .ToList();
        await cache.EnsureAsync(store, files, cancellationToken);

        foreach (var (relativePath, directory) in directories)
        {
            var directoryPath = Path.Combine(root, relativePath);
            System.IO.Directory.CreateDirectory(directoryPath);
            foreach (var file in directory.Files)
                Place(cache.PathOf(file.Digest, file.IsExecutable), Path.Combine(directoryPath, file.Name));
            foreach (var symlink in directory.Symlinks)
                File.CreateSymbolicLink(Path.Combine(directoryPath, symlink.Name), symlink.Target);
        }
    }

    /// <summary>The input-root rule for symlinks (<see cref="DirectoryRules.ValidateSymlinkPlacement"/>).</summary>
    public static string? ValidateSymlink(string directoryPath, SymlinkNode symlink) =>
        DirectoryRules.ValidateSymlinkPlacement(directoryPath, symlink);

    private Directory ReadDirectory(Digest digest, string relativePath)
    {
        Directory directory;
        try
        {
            directory = Directory.Parser.ParseFrom(File.ReadAllBytes(cache.PathOf(digest, executable: false)));
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw JobFailure.Of(StatusCode.InvalidArgument, $"directory '{Display(relativePath)}' ({Protocol.Digests.Digests.Format(digest)}) is not a Directory message: {e.Message}");
        }
        var error = DirectoryRules.Validate(directory)
            ?? directory.Symlinks.Select(s => ValidateSymlink(relativePath, s)).FirstOrDefault(e => e is not null);
        if (error is not null)
            throw JobFailure.Of(StatusCode.InvalidArgument, $"input directory '{Display(relativePath)}': {error}");
        return directory;
    }

    private static void Place(string cached, string target)
    {
        if (!HardLinks.TryCreate(cached, target))
            File.Copy(cached, target);
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    private static string Display(string relativePath) => relativePath.Length == 0 ? "/" : relativePath;
}
