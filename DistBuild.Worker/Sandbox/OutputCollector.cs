using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using Google.Protobuf;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.Worker.Sandbox;

/// <summary>
/// Turns what a job left at its output paths into ActionResult entries and the blobs to upload: files as
/// OutputFile, directories as Tree messages, symlinks as OutputSymlink. Dep-info files are rewritten so they
/// name the client's paths. Output paths the job did not create are left out, as REAPI specifies.
/// </summary>
public sealed class OutputCollector(SandboxLayout layout, SandboxPathStripper stripper)
{
    private readonly HashSet<string> _treeChildren = new(StringComparer.Ordinal);

    public List<BlobSource> Blobs { get; } = [];

    public void CollectInto(ActionResult result)
    {
        foreach (var (relative, full) in layout.Outputs)
        {
            var info = new FileInfo(full);
            if (info.LinkTarget is { } target)
            {
                var symlink = new OutputSymlink { Path = relative, Target = target };
                result.OutputSymlinks.Add(symlink);
                (System.IO.Directory.Exists(full) ? result.OutputDirectorySymlinks : result.OutputFileSymlinks).Add(symlink);
            }
            else if (info.Exists)
            {
                var node = FileNodeFor(info);
                result.OutputFiles.Add(new OutputFile { Path = relative, Digest = node.Digest, IsExecutable = node.IsExecutable });
            }
            else if (System.IO.Directory.Exists(full))
            {
                var tree = new Tree();
                tree.Root = DirectoryFor(new DirectoryInfo(full), tree);
                var blob = BlobSource.FromMessage(tree);
                Blobs.Add(blob);
                result.OutputDirectories.Add(new OutputDirectory { Path = relative, TreeDigest = blob.Digest });
            }
        }
    }

    private FileNode FileNodeFor(FileInfo file)
    {
        var executable = (file.UnixFileMode & UnixFileMode.UserExecute) != 0;
        BlobSource blob;
        if (SandboxPathStripper.IsDepInfo(file.Name))
            blob = BlobSource.FromBytes(ByteString.CopyFrom(stripper.Strip(File.ReadAllBytes(file.FullName))));
        else
            // Stamped, so the links of this inode (into the CAS, then into blob caches) are not hashed again. An output
            // already stamped was hashed during this job (a .rmeta passed on early): outputs start as new files.
            blob = BlobSource.FromFile(file.FullName, Protocol.Cas.ContentStamp.Read(file.FullName) ?? Protocol.Cas.ContentStamp.HashAndStamp(file.FullName));
        Blobs.Add(blob);
        return new FileNode { Name = file.Name, Digest = blob.Digest, IsExecutable = executable };
    }

    private Directory DirectoryFor(DirectoryInfo directory, Tree tree)
    {
        var message = new Directory();
        foreach (var entry in directory.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.LinkTarget is { } target)
                message.Symlinks.Add(new SymlinkNode { Name = entry.Name, Target = target });
            else if (entry is FileInfo file)
                message.Files.Add(FileNodeFor(file));
            else if (entry is DirectoryInfo child)
            {
                var childMessage = DirectoryFor(child, tree);
                var digest = Protocol.Digests.Digests.Compute(childMessage);
                message.Directories.Add(new DirectoryNode { Name = child.Name, Digest = digest });
                if (_treeChildren.Add(digest.Key()))
                    tree.Children.Add(childMessage);
            }
        }
        return message;
    }
}
