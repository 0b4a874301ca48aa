namespace DistBuild.Protocol.Hosts;

/// <summary>
/// How to start one of the package's programs (the coordinator, the embedded scheduler and worker). The package
/// carries them as NativeAOT executables, which start without loading a runtime or JIT-compiling anything. Packed
/// without a native toolchain (and in the repository's own build output) a program is a framework-dependent
/// assembly, X.dll, which the dotnet host of this build runs: its apphost would look for a .NET install of its own.
/// </summary>
/// <param name="Program">The executable, or the assembly.</param>
/// <param name="DotnetHost">The dotnet host that runs <paramref name="Program"/>; null for an executable.</param>
public sealed record HostCommand(string Program, string? DotnetHost)
{
    /// <summary>
    /// The command for <paramref name="program"/> (a path with or without .dll): the assembly, when it is one or
    /// there is one beside it, under <paramref name="dotnetHost"/>; else the executable by itself.
    /// </summary>
    public static HostCommand For(string program, string dotnetHost)
    {
        if (program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            return new(program, dotnetHost);
        return File.Exists(program + ".dll") ? new(program + ".dll", dotnetHost) : new(program, null);
    }

    /// <summary>The file the operating system starts.</summary>
    public string FileName => DotnetHost ?? Program;

    /// <summary>The arguments to start it with: the assembly for the dotnet host, then <paramref name="arguments"/>.</summary>
    public IReadOnlyList<string> Arguments(IEnumerable<string> arguments) =>
        DotnetHost is null ? [.. arguments] : [Program, .. arguments];

    public override string ToString() => DotnetHost is null ? Program : $"{DotnetHost} {Program}";
}
