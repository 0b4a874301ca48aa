namespace DistBuild.Protocol.Cargo;

/// <summary>What to build for one RustCrate item: the command line and environment of its `cargo build`.</summary>
public sealed record CargoCommand(
    string ManifestPath,
    string TargetDirectory,
    string Profile,
    IReadOnlyList<string> Packages,
    string? Features,
    bool NoDefaultFeatures,
    IReadOnlyList<string> Binaries,
    bool Offline)
{
    /// <summary>cargo's working directory: the manifest's, so relative paths in cargo's messages resolve against it.</summary>
    public string WorkingDirectory => Path.GetDirectoryName(ManifestPath)!;

    public IReadOnlyList<string> Arguments()
    {
        // Plain `json` (not the ANSI-rendered variant): the rendered text is only logged at low importance, and
        // escape codes would show up raw in log files and IDE error lists.
        var arguments = new List<string>
        {
            "build", "--message-format=json",
            "--manifest-path", ManifestPath,
            "--target-dir", TargetDirectory,
            "--profile", Profile,
        };
        foreach (var package in Packages)
            arguments.AddRange(["-p", package]);
        if (!string.IsNullOrWhiteSpace(Features))
            arguments.AddRange(["--features", Features!]);
        if (NoDefaultFeatures)
            arguments.Add("--no-default-features");
        foreach (var binary in Binaries)
            arguments.AddRange(["--bin", binary]);
        if (Offline)
            arguments.Add("--offline");
        return arguments;
    }
}
