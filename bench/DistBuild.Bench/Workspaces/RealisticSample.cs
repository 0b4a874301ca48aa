namespace DistBuild.Bench.Workspaces;

/// <summary>The repository's samples/realistic workspace (crates.io dependencies from Debian's packaged sources).</summary>
public static class RealisticSample
{
    public const string Name = "realistic";

    /// <summary>Copies the sample to <paramref name="destination"/>, or says why it cannot be benchmarked.</summary>
    public static BenchWorkspace? Prepare(string repositoryRoot, string destination, out string? skipReason)
    {
        var source = Path.Combine(repositoryRoot, "samples", "realistic");
        skipReason = null;
        if (!File.Exists(Path.Combine(source, "Cargo.toml")))
        {
            skipReason = $"{source} does not exist";
            return null;
        }
        if (!Directory.Exists("/usr/share/cargo/registry"))
        {
            skipReason = "Debian's crate sources (/usr/share/cargo/registry) are not installed; run .ci/install-rust-crates.sh";
            return null;
        }
        if (Directory.Exists(destination))
            Directory.Delete(destination, recursive: true);
        Copy(source, destination);
        var leaf = Path.Combine(destination, "crates", "textstats", "src", "lib.rs");
        return new BenchWorkspace(Name, "samples/realistic: 2 workspace members, 41 crates from /usr/share/cargo/registry",
            destination, leaf, "textstats", 43, "realistic");
    }

    private static void Copy(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        foreach (var directory in Directory.GetDirectories(source))
        {
            var name = Path.GetFileName(directory);
            if (name is "target" or "bin" or "obj")
                continue;
            Copy(directory, Path.Combine(destination, name));
        }
    }
}
