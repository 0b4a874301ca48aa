using DistBuild.Protocol.Toolchains;

namespace DistBuild.Protocol.Tests;

public class ToolchainTests
{
    private const string VersionOutput = """
        rustc 1.95.0 (59807616e 2026-04-14)
        binary: rustc
        commit-hash: 59807616e1fa2540724bfbac14d7976d7e4a3860
        commit-date: 2026-04-14
        host: x86_64-unknown-linux-gnu
        release: 1.95.0
        LLVM version: 22.1.2
        """;

    [Fact]
    public void Rustc_version_output_gives_release_commit_and_host()
    {
        var toolchain = RustToolchain.Parse(VersionOutput);

        Assert.Equal(new RustToolchain("1.95.0", "59807616e1fa2540724bfbac14d7976d7e4a3860", "x86_64-unknown-linux-gnu"), toolchain);
    }

    [Fact]
    public void Platform_properties_are_sorted_by_name_as_the_standard_requires()
    {
        var names = RustToolchain.Parse(VersionOutput).ToPlatform().Properties.Select(p => p.Name).ToList();

        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void Output_without_a_release_line_is_refused()
    {
        Assert.Throws<FormatException>(() => RustToolchain.Parse("rustc 1.0\nhost: x"));
    }
}
