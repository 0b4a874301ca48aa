using Build.Bazel.Remote.Execution.V2;
using DistBuild.Coordinator.Compilation;

namespace DistBuild.Tasks.Tests.Compilation;

public class CompileActionTests
{
    private static readonly Platform Platform = new DistBuild.Protocol.Toolchains.RustToolchain("1.95.0", "abc", "x86_64-unknown-linux-gnu").ToPlatform();
    private readonly string _workspace = Testing.TemporaryDirectory.Create("action");

    private string Write(string relativePath, string content = "x")
    {
        var path = Path.Combine(_workspace, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private (RustcInvocation Invocation, Dictionary<string, string> Environment) LibraryCompile()
    {
        Write("core/Cargo.toml");
        Write("core/src/lib.rs", "pub fn f() {}");
        Write("core/src/nested/mod.rs");
        Write("core/.git/HEAD");
        Write("core/target/debug/junk");
        Write("core/sub/Cargo.toml");
        Write("core/sub/src/lib.rs");
        Write("target/CACHEDIR.TAG");
        Write("target/debug/build/core-1/out/generated.rs");
        Write("target/debug/build/core-1/output", "cargo:rustc-env=GREETING=hi\n");
        Write("native/libz.a");
        var invocation = RustcInvocation.Parse(
            ["--crate-name", "core", "core/src/lib.rs", "--crate-type", "lib", "-C", "extra-filename=-1",
             "--out-dir", $"{_workspace}/target/debug/deps", "-L", $"dependency={_workspace}/target/debug/deps", "-L", $"native={_workspace}/native"],
            _workspace);
        var environment = new Dictionary<string, string>
        {
            ["CARGO_MANIFEST_DIR"] = $"{_workspace}/core",
            ["CARGO_PKG_NAME"] = "core",
            ["OUT_DIR"] = $"{_workspace}/target/debug/build/core-1/out",
            ["GREETING"] = "hi",
            ["CARGO_MAKEFLAGS"] = "-j --jobserver-fds=6,7",
        };
        return (invocation, environment);
    }

    [Fact]
    public void Inputs_are_the_package_sources_out_dir_and_native_libraries_but_not_vcs_targets_or_nested_packages()
    {
        var (invocation, environment) = LibraryCompile();

        var files = InputCollector.Collect(invocation, environment).Files.Select(f => Path.GetRelativePath(_workspace, f)).ToList();

        Assert.Equal(
            ["core/Cargo.toml", "core/src/lib.rs", "core/src/nested/mod.rs", "native/libz.a", "target/debug/build/core-1/out/generated.rs"],
            files);
    }

    [Fact]
    public void Msbuild_output_folders_beside_a_project_file_are_not_inputs()
    {
        Write("lib/Cargo.toml");
        Write("lib/Native.csproj");
        Write("lib/src/lib.rs");
        Write("lib/obj/project.assets.json");
        Write("lib/bin/Debug/Native.dll");
        Write("lib/.vs/state");
        var invocation = RustcInvocation.Parse(["--crate-name", "lib", "src/lib.rs", "--crate-type", "cdylib", "--out-dir", $"{_workspace}/target"], $"{_workspace}/lib");

        var files = InputCollector.Collect(invocation, new Dictionary<string, string> { ["CARGO_MANIFEST_DIR"] = $"{_workspace}/lib" }).Files;

        Assert.Equal(["lib/Cargo.toml", "lib/Native.csproj", "lib/src/lib.rs"], files.Select(f => Path.GetRelativePath(_workspace, f)));
    }

    [Fact]
    public void Command_is_rustc_with_cargo_arguments_selected_environment_and_relative_outputs()
    {
        var (invocation, environment) = LibraryCompile();

        var action = CompileAction.Create(invocation, environment, Platform, TimeSpan.FromMinutes(5), new FileDigestCache());

        Assert.Equal(["rustc", .. invocation.Arguments], action.Command.Arguments);
        Assert.Equal(_workspace.TrimStart('/'), action.Command.WorkingDirectory);
        Assert.Equal(["CARGO_MANIFEST_DIR", "CARGO_PKG_NAME", "GREETING", "OUT_DIR"], action.Command.EnvironmentVariables.Select(v => v.Name));
        Assert.Contains("target/debug/deps/libcore-1.rlib", action.Command.OutputPaths);
        Assert.Equal(action.Command.OutputPaths.Order(StringComparer.Ordinal), action.Command.OutputPaths);
        Assert.Equal(300, action.Action.Timeout.Seconds);
        Assert.Equal(Platform, action.Action.Platform);
    }

    [Fact]
    public void Same_compile_gives_the_same_action_digest_whatever_the_jobserver_and_changes_with_the_source()
    {
        var (invocation, environment) = LibraryCompile();
        var digests = new FileDigestCache();

        var first = CompileAction.Create(invocation, environment, Platform, null, digests);
        var second = CompileAction.Create(invocation, new Dictionary<string, string>(environment) { ["CARGO_MAKEFLAGS"] = "-j --jobserver-fds=9,10" }, Platform, null, digests);
        Write("core/src/lib.rs", "pub fn g() {}");
        var edited = CompileAction.Create(invocation, environment, Platform, null, digests);

        Assert.Equal(first.ActionDigest, second.ActionDigest);
        Assert.NotEqual(first.ActionDigest, edited.ActionDigest);
    }

    [Fact]
    public void Outputs_of_a_crate_compiled_outside_the_target_tree_climb_out_of_the_working_directory()
    {
        Write("registry/dep/src/lib.rs");
        var invocation = RustcInvocation.Parse(
            ["--crate-name", "dep", "src/lib.rs", "--crate-type", "lib", "--out-dir", $"{_workspace}/target/debug/deps"],
            $"{_workspace}/registry/dep");

        var action = CompileAction.Create(invocation, new Dictionary<string, string>(), Platform, null, new FileDigestCache());

        Assert.Contains("../../target/debug/deps/libdep.rlib", action.Command.OutputPaths);
        Assert.Equal($"{_workspace}/target/debug/deps/libdep.rlib", action.OutputLocations["../../target/debug/deps/libdep.rlib"]);
    }
}
