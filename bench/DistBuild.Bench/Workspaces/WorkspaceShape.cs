namespace DistBuild.Bench.Workspaces;

/// <summary>
/// The shape of a generated Cargo workspace: <see cref="Crates"/> library crates spread over <see cref="Depth"/>
/// layers, each crate above the bottom layer depending on <see cref="Width"/> crates of the layer below, plus one
/// binary crate on top that depends on the whole top layer. <see cref="LinesPerCrate"/> sets each library's size.
/// </summary>
public sealed record WorkspaceShape(int Crates, int Depth, int Width, int LinesPerCrate, int Seed)
{
    public string? Validate()
    {
        if (Crates < 1)
            return "--crates must be at least 1";
        if (Depth < 1 || Depth > Crates)
            return $"--depth must be between 1 and --crates ({Crates})";
        if (Width < 1)
            return "--width must be at least 1";
        if (LinesPerCrate < 10)
            return "--lines must be at least 10";
        return null;
    }

    public override string ToString() => $"{Crates} crates, depth {Depth}, width {Width}, {LinesPerCrate} lines per crate, seed {Seed}";
}
