using DistBuild.Coordinator.Compilation;
using static DistBuild.Tasks.Tests.Compilation.CargoCommandLines;

namespace DistBuild.Tasks.Tests.Compilation;

public class ActionEnvironmentTests
{
    [Fact]
    public void Package_facts_enter_the_action_but_jobserver_home_terminal_and_secrets_do_not()
    {
        var selected = ActionEnvironment.Select(LibraryEnvironment, []).Select(p => p.Key).ToList();

        Assert.Contains("CARGO", selected);
        Assert.Contains("CARGO_PKG_NAME", selected);
        Assert.Contains("CARGO_MANIFEST_DIR", selected);
        Assert.Contains("CARGO_CRATE_NAME", selected);
        Assert.Contains("OUT_DIR", selected);
        foreach (var volatileName in new[] { "CARGO_MAKEFLAGS", "CARGO_HOME", "CARGO_INCREMENTAL", "CARGO_TERM_COLOR", "CARGO_REGISTRY_TOKEN", "HOME", "PATH", "RUSTC_WRAPPER", "CORE_GREETING" })
            Assert.DoesNotContain(volatileName, selected);
    }

    [Fact]
    public void Variables_a_build_script_set_enter_the_action_sorted_by_name()
    {
        var selected = ActionEnvironment.Select(LibraryEnvironment, ["CORE_OTHER", "CORE_GREETING"]);

        Assert.Contains(new KeyValuePair<string, string>("CORE_GREETING", "hello"), selected);
        Assert.Contains(new KeyValuePair<string, string>("CORE_OTHER", "x=y"), selected);
        Assert.Equal(selected.Select(p => p.Key).Order(StringComparer.Ordinal), selected.Select(p => p.Key));
    }

    [Fact]
    public void Both_rustc_env_syntaxes_of_build_script_output_are_read()
    {
        var names = ActionEnvironment.ParseBuildScriptOutput(
        [
            "cargo:rustc-env=CORE_GREETING=hello",
            "cargo::rustc-env=CORE_OTHER=x=y",
            "cargo:rerun-if-changed=build.rs",
            "cargo:rustc-cfg=feature=\"x\"",
        ]);

        Assert.Equal(["CORE_GREETING", "CORE_OTHER"], names);
    }

    [Fact]
    public void Build_script_output_is_found_beside_out_dir()
    {
        var build = Path.Combine(Testing.TemporaryDirectory.Create("env"), "core-lib-1234");
        Directory.CreateDirectory(Path.Combine(build, "out"));
        File.WriteAllLines(Path.Combine(build, "output"), ["cargo:rustc-env=GREETING=hi"]);

        Assert.Equal(["GREETING"], ActionEnvironment.BuildScriptVariables(Path.Combine(build, "out")));
        Assert.Empty(ActionEnvironment.BuildScriptVariables(null));
    }
}
