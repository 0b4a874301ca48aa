using DistBuild.Coordinator.Compilation;
using static DistBuild.Tasks.Tests.Compilation.CargoCommandLines;

namespace DistBuild.Tasks.Tests.Compilation;

public class RustcInvocationTests
{
    [Fact]
    public void Version_query_and_target_info_probe_run_locally()
    {
        Assert.Equal("version query", RustcInvocation.Parse(VersionQuery, WorkingDirectory).LocalReason);
        var probe = RustcInvocation.Parse(TargetInfoProbe, WorkingDirectory);
        Assert.NotNull(probe.LocalReason);
        Assert.True(probe.ReadsStdin);
        Assert.True(probe.PrintsInformation);
    }

    [Theory]
    [InlineData("- --crate-name ___ --print=file-names --crate-type bin --print=sysroot --print=cfg -Wwarnings", true)]
    [InlineData("--print sysroot --target x86_64-unknown-linux-gnu", true)]
    [InlineData("--print cfg=cfg.txt", false)]
    [InlineData("--print=cfg @args.txt", false)]
    [InlineData("--print=cfg --target /specs/custom.json", false)]
    [InlineData("--print=file-names src/lib.rs", false)]
    [InlineData("--print=file-names - --out-dir /tmp/out", false)]
    [InlineData("--crate-name a src/lib.rs --out-dir /tmp/out", false)]
    public void A_print_query_is_self_contained_when_nothing_but_rustc_its_arguments_and_stdin_goes_into_it(string commandLine, bool selfContained) =>
        Assert.Equal(selfContained, RustcInvocation.Parse(commandLine.Split(' '), WorkingDirectory).IsSelfContainedQuery);

    [Fact]
    public void Library_compile_is_remote_with_its_crate_emit_and_out_dir()
    {
        var invocation = RustcInvocation.Parse(Library, WorkingDirectory);

        Assert.Null(invocation.LocalReason);
        Assert.Equal("corelib", invocation.CrateName);
        Assert.Equal(["lib"], invocation.CrateTypes);
        Assert.Equal("2021", invocation.Edition);
        Assert.Equal("core/src/lib.rs", invocation.SourceFile);
        Assert.Equal("/tmp/cap/target/debug/deps", invocation.OutDir);
        Assert.Equal("-3ca8a1f16176afee", invocation.ExtraFilename);
        Assert.Equal(["dep-info", "metadata", "link"], invocation.Emit.Select(e => e.Kind));
        Assert.Equal([("dependency", "/tmp/cap/target/debug/deps")], invocation.SearchPaths);
        Assert.True(invocation.IsLibrary);
        Assert.Equal("/tmp/cap/core/src/lib.rs", invocation.Absolute(invocation.SourceFile!));
    }

    [Fact]
    public void Proc_macro_compile_is_remote_and_its_sysroot_extern_has_no_path()
    {
        var invocation = RustcInvocation.Parse(ProcMacro, WorkingDirectory);

        Assert.Null(invocation.LocalReason);
        Assert.Equal(["proc-macro"], invocation.CrateTypes);
        Assert.Equal([("proc_macro", (string?)null)], invocation.Externs);
        Assert.True(invocation.IsLibrary);
    }

    [Fact]
    public void Build_script_compile_is_a_remote_bin()
    {
        var invocation = RustcInvocation.Parse(BuildScript, WorkingDirectory);

        Assert.Null(invocation.LocalReason);
        Assert.True(invocation.IsBuildScript);
        Assert.False(invocation.IsLibrary);
        Assert.Equal("core/build.rs", invocation.SourceFile);
        Assert.Equal("build_script_build-8f5e04394cdca436", invocation.OutputStem);
    }

    [Fact]
    public void Binary_compile_lists_its_externs_with_paths()
    {
        var invocation = RustcInvocation.Parse(Binary, WorkingDirectory);

        Assert.Null(invocation.LocalReason);
        Assert.Equal("app/src/main.rs", invocation.SourceFile);
        Assert.Equal(
            [("corelib", "/tmp/cap/target/debug/deps/libcorelib-3ca8a1f16176afee.rlib"), ("macros", "/tmp/cap/target/debug/deps/libmacros-691acec484d0d39f.so")],
            invocation.Externs);
    }

    [Theory]
    [InlineData("--crate-name foo --crate-type lib -", "source from stdin")]
    [InlineData("--crate-name foo src/lib.rs --print cfg", "--print query")]
    [InlineData("--crate-name foo --crate-type lib --out-dir /o", "no source file")]
    [InlineData("@/tmp/args.txt", "arguments in an @file")]
    [InlineData("src/lib.rs --out-dir /o", "no --crate-name")]
    public void Calls_it_cannot_send_say_why(string commandLine, string reason)
    {
        Assert.Equal(reason, RustcInvocation.Parse(commandLine.Split(' '), WorkingDirectory).LocalReason);
    }

    [Fact]
    public void Glued_and_equals_forms_parse_like_separate_ones()
    {
        var invocation = RustcInvocation.Parse(
            ["--crate-name=foo", "--crate-type=rlib,cdylib", "-Cextra-filename=-x", "-Lnative=/n", "--out-dir=/o", "--extern", "noprelude:alloc=/s/liballoc.rlib", "--cfg", "feature=\"a\"", "src/lib.rs"],
            WorkingDirectory);

        Assert.Equal("foo", invocation.CrateName);
        Assert.Equal(["rlib", "cdylib"], invocation.CrateTypes);
        Assert.Equal("-x", invocation.ExtraFilename);
        Assert.Equal([("native", "/n")], invocation.SearchPaths);
        Assert.Equal("/o", invocation.OutDir);
        Assert.Equal([("alloc", "/s/liballoc.rlib")], invocation.Externs);
        Assert.Equal("src/lib.rs", invocation.SourceFile);
    }
}
