using DistBuild.Coordinator.Compilation;
using static DistBuild.Tasks.Tests.Compilation.CargoCommandLines;

namespace DistBuild.Tasks.Tests.Compilation;

public class OutputPredictionTests
{
    [Fact]
    public void Library_outputs_include_rlib_rmeta_and_dep_info_in_the_out_dir()
    {
        var outputs = OutputPrediction.Predict(RustcInvocation.Parse(Library, WorkingDirectory));

        Assert.Contains("/tmp/cap/target/debug/deps/libcorelib-3ca8a1f16176afee.rlib", outputs);
        Assert.Contains("/tmp/cap/target/debug/deps/libcorelib-3ca8a1f16176afee.rmeta", outputs);
        Assert.Contains("/tmp/cap/target/debug/deps/corelib-3ca8a1f16176afee.d", outputs);
        Assert.All(outputs, o => Assert.StartsWith("/tmp/cap/target/debug/deps/", o));
    }

    [Fact]
    public void Proc_macro_output_is_a_shared_object()
    {
        var outputs = OutputPrediction.Predict(RustcInvocation.Parse(ProcMacro, WorkingDirectory));

        Assert.Contains("/tmp/cap/target/debug/deps/libmacros-691acec484d0d39f.so", outputs);
    }

    [Fact]
    public void Build_script_output_is_the_executable_in_its_build_directory()
    {
        var outputs = OutputPrediction.Predict(RustcInvocation.Parse(BuildScript, WorkingDirectory));

        Assert.Contains("/tmp/cap/target/debug/build/core-lib-8f5e04394cdca436/build_script_build-8f5e04394cdca436", outputs);
        Assert.Contains("/tmp/cap/target/debug/build/core-lib-8f5e04394cdca436/build_script_build-8f5e04394cdca436.d", outputs);
    }

    [Fact]
    public void Explicit_output_paths_are_predicted_relative_to_the_working_directory()
    {
        var outputs = OutputPrediction.Predict(RustcInvocation.Parse(
            ["--crate-name", "x", "x.rs", "-o", "out/x", "--emit=link,dep-info=deps/x.d,asm=-"], WorkingDirectory));

        Assert.Contains("/tmp/cap/out/x", outputs);
        Assert.Contains("/tmp/cap/deps/x.d", outputs);
        Assert.DoesNotContain(outputs, o => o.EndsWith("/-", StringComparison.Ordinal));
    }
}
