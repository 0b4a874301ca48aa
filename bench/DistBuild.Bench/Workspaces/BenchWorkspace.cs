namespace DistBuild.Bench.Workspaces;

/// <summary>
/// A Cargo workspace the benchmark builds: a private copy (the edited-leaf scenario changes a source file),
/// with the file to edit, how many packages it builds and the binary it produces (run to check each tool's output).
/// </summary>
public sealed record BenchWorkspace(string Name, string Description, string Root, string LeafSource, string LeafCrate, int Packages, string Binary)
{
    private const string EditMarker = "// distbuild-bench edit";

    /// <summary>Appends an item that changes the crate's code (a comment alone would leave the metadata hash alone
    /// but still force a rebuild; a new item is what a real edit does).</summary>
    public void EditLeaf(int serial) =>
        File.AppendAllText(LeafSource, $"\n{EditMarker}\npub const BENCH_EDIT_{serial}: u64 = {serial};\n");

    public void RevertLeaf()
    {
        var text = File.ReadAllText(LeafSource);
        var at = text.IndexOf("\n" + EditMarker, StringComparison.Ordinal);
        if (at >= 0)
            File.WriteAllText(LeafSource, text[..at]);
    }
}
