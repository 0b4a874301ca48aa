using DistBuild.Coordinator.Compilation;
using static DistBuild.Tasks.Tests.Compilation.CargoCommandLines;

namespace DistBuild.Tasks.Tests.Compilation;

public class ShareableOutputsTests
{
    [Fact]
    public void A_library_shares_its_rlib_and_rmeta_but_not_its_dep_info_which_rustc_rewrites_in_place()
    {
        var invocation = RustcInvocation.Parse(Library, WorkingDirectory);

        var shareable = ShareableOutputs.Of(invocation);

        Assert.Equal(
            ["/tmp/cap/target/debug/deps/libcorelib-3ca8a1f16176afee.rlib", "/tmp/cap/target/debug/deps/libcorelib-3ca8a1f16176afee.rmeta"],
            shareable.Order(StringComparer.Ordinal));
        Assert.Subset(OutputPrediction.Predict(invocation).ToHashSet(), shareable.ToHashSet());
    }

    [Fact]
    public void A_proc_macro_and_a_build_script_share_what_only_rustc_and_cargo_run()
    {
        Assert.Contains("/tmp/cap/target/debug/deps/libmacros-691acec484d0d39f.so", ShareableOutputs.Of(RustcInvocation.Parse(ProcMacro, WorkingDirectory)));
        Assert.Contains(
            "/tmp/cap/target/debug/build/core-lib-8f5e04394cdca436/build_script_build-8f5e04394cdca436",
            ShareableOutputs.Of(RustcInvocation.Parse(BuildScript, WorkingDirectory)));
    }

    [Fact]
    public void Binaries_and_native_libraries_are_never_shared_since_users_strip_and_patch_them_in_place()
    {
        var binary = RustcInvocation.Parse(Binary, WorkingDirectory);
        var native = RustcInvocation.Parse(["--crate-name", "native", "--crate-type", "cdylib", "--crate-type", "lib", "src/lib.rs", "--out-dir", "/tmp/cap/target/debug/deps", "-C", "extra-filename=-0123"], WorkingDirectory);

        Assert.Empty(ShareableOutputs.Of(binary));
        var shareable = ShareableOutputs.Of(native);
        Assert.DoesNotContain("/tmp/cap/target/debug/deps/libnative-0123.so", shareable);
        Assert.Contains("/tmp/cap/target/debug/deps/libnative-0123.rlib", shareable);
    }
}
