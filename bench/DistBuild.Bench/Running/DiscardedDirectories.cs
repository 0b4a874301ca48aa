namespace DistBuild.Bench.Running;

/// <summary>
/// Directories the bench is done with (a target directory before a warm build, a repetition's cache, an earlier
/// run's workspace) are moved out of the way, not deleted, and deleted once every build has been measured. On ext4
/// without a journal (the disk of the machines these figures come from) the inode allocator skips, one by one and
/// reading each from disk, every inode freed in the last minute or more, so a build right after a recursive delete of
/// the build before it paid for that delete: with the previous cold build's directories deleted first, the coordinator
/// of a cold realistic build took 3.6 s of CPU instead of 0.7–0.8 s, most of it in that search, because it writes
/// more new files than plain cargo does (every source into the CAS). A user's build does not follow the bench's
/// deletes; every tool's build gets the same treatment.
/// </summary>
public sealed class DiscardedDirectories(string root)
{
    /// <summary>Moves <paramref name="path"/> (if it exists) under the discard root, which is on the same file system.</summary>
    public void Discard(string path)
    {
        if (!Directory.Exists(path))
            return;
        Directory.CreateDirectory(root);
        try
        {
            Directory.Move(path, Path.Combine(root, $"{Path.GetFileName(path.TrimEnd('/'))}-{Guid.NewGuid():N}"));
        }
        catch (IOException)
        {
            // Another file system after all: deleting it costs the next build, but loses nothing.
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Deletes everything discarded, once no build is left to measure.</summary>
    public void DeleteAll()
    {
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
    }
}
