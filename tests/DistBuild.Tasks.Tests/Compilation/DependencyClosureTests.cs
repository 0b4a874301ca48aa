using DistBuild.Coordinator.Compilation;

namespace DistBuild.Tasks.Tests.Compilation;

public class DependencyClosureTests
{
    private readonly string _deps = Testing.TemporaryDirectory.Create("closure");

    private string Artifact(string name)
    {
        var path = Path.Combine(_deps, name);
        File.WriteAllText(path, name);
        return path;
    }

    private RustcInvocation Compile(string crate, string type, params string[] externs) => RustcInvocation.Parse(
        ["--crate-name", crate, "src/lib.rs", "--crate-type", type, "-C", "extra-filename=-1", "--out-dir", _deps, "-L", $"dependency={_deps}",
         .. externs.SelectMany(e => new[] { "--extern", e })],
        _deps);

    [Fact]
    public void Closure_follows_sidecars_to_indirect_dependencies_and_adds_rlib_siblings()
    {
        // a <- b <- c: c names only b, but reads a's metadata and links a's rlib.
        var aRlib = Artifact("liba-1.rlib");
        var aRmeta = Artifact("liba-1.rmeta");
        var bRlib = Artifact("libb-1.rlib");
        var a = Compile("a", "lib");
        DependencyClosure.WriteSidecar(a, DependencyClosure.Compute(a).Closure);
        var b = Compile("b", "lib", $"a={aRmeta}");
        DependencyClosure.WriteSidecar(b, DependencyClosure.Compute(b).Closure);

        var c = DependencyClosure.Compute(Compile("c", "bin", $"b={bRlib}"));

        Assert.Equal([aRmeta, bRlib], c.Closure);
        Assert.Empty(c.ExternsWithoutSidecar);
        Assert.Equal([aRlib, aRmeta, bRlib], DependencyClosure.InputFiles(c.Closure, links: true));
    }

    [Fact]
    public void A_library_compile_gets_the_metadata_it_is_named_and_no_rlib_whose_existence_is_a_matter_of_timing()
    {
        // a <- b <- c, all libraries, as cargo pipelines them: c is named b's .rmeta, and starts while b (and perhaps
        // a) still generate code, so whether their .rlib files exist yet, or are an earlier build's, is a race.
        var aRmeta = Artifact("liba-1.rmeta");
        Artifact("liba-1.rlib");
        var bRmeta = Artifact("libb-1.rmeta");
        Artifact("libb-1.rlib");
        var a = Compile("a", "lib");
        DependencyClosure.WriteSidecar(a, DependencyClosure.Compute(a).Closure);
        var b = Compile("b", "lib", $"a={aRmeta}");
        DependencyClosure.WriteSidecar(b, DependencyClosure.Compute(b).Closure);
        var c = Compile("c", "lib", $"b={bRmeta}");

        Assert.False(c.LinksDependencies);
        Assert.Equal([aRmeta, bRmeta], DependencyClosure.InputFiles(DependencyClosure.Compute(c).Closure, c.LinksDependencies));
    }

    [Theory]
    [InlineData("bin", true)]
    [InlineData("proc-macro", true)]
    [InlineData("cdylib", true)]
    [InlineData("lib", false)]
    [InlineData("rlib", false)]
    public void Only_linked_crate_types_read_their_dependencies_rlibs(string type, bool links)
    {
        Assert.Equal(links, Compile("c", type).LinksDependencies);
        Assert.True(RustcInvocation.Parse(["--crate-name", "c", "src/lib.rs", "--crate-type", "lib", "--test"], _deps).LinksDependencies);
    }

    [Fact]
    public void Sidecar_is_named_after_the_library_stem_and_lists_absolute_paths()
    {
        var aRlib = Artifact("liba-1.rlib");
        var a = Compile("a", "lib");
        DependencyClosure.WriteSidecar(a, []);
        var b = Compile("b", "proc-macro", $"a={aRlib}");

        DependencyClosure.WriteSidecar(b, DependencyClosure.Compute(b).Closure);

        Assert.Equal([aRlib], File.ReadAllLines(Path.Combine(_deps, "libb-1.distbuild-deps")));
        Assert.Equal(Path.Combine(_deps, "libb-1.distbuild-deps"), DependencyClosure.SidecarPath(Path.Combine(_deps, "libb-1.so")));
    }

    [Fact]
    public void Binaries_get_no_sidecar()
    {
        DependencyClosure.WriteSidecar(Compile("app", "bin"), []);

        Assert.Empty(Directory.EnumerateFiles(_deps, "*.distbuild-deps"));
    }

    [Fact]
    public void Extern_built_without_distbuild_falls_back_to_every_library_in_the_dependency_directories()
    {
        var plain = Artifact("libplain-9.rlib");
        var other = Artifact("libother-9.rmeta");
        var macro = Artifact("libm-9.so");
        Artifact("notes.txt");

        var invocation = Compile("c", "lib", $"plain={plain}");
        var closure = DependencyClosure.Compute(invocation);

        Assert.Equal([plain], closure.ExternsWithoutSidecar);
        Assert.Equal([macro, other, plain], DependencyClosure.FallbackInputFiles(invocation));
    }
}
