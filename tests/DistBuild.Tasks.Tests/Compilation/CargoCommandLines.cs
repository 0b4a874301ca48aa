namespace DistBuild.Tasks.Tests.Compilation;

/// <summary>
/// rustc command lines exactly as cargo 1.95 passed them to RUSTC_WRAPPER for a workspace with a library that has
/// a build script, a proc-macro and a binary (captured with `cargo build -v` in /tmp/cap, working directory /tmp/cap).
/// </summary>
internal static class CargoCommandLines
{
    public const string WorkingDirectory = "/tmp/cap";

    public static readonly string[] VersionQuery = ["-vV"];

    public static readonly string[] TargetInfoProbe =
    [
        "-", "--crate-name", "___", "--print=file-names", "--crate-type", "bin", "--crate-type", "rlib", "--crate-type", "dylib",
        "--crate-type", "cdylib", "--crate-type", "staticlib", "--crate-type", "proc-macro", "--print=sysroot",
        "--print=split-debuginfo", "--print=crate-name", "--print=cfg", "-Wwarnings",
    ];

    public static readonly string[] BuildScript =
    [
        "--crate-name", "build_script_build", "--edition=2021", "core/build.rs", "--error-format=json",
        "--json=diagnostic-rendered-ansi,artifacts,future-incompat", "--crate-type", "bin", "--emit=dep-info,link",
        "-C", "embed-bitcode=no", "--check-cfg", "cfg(docsrs,test)", "--check-cfg", "cfg(feature, values())",
        "-C", "metadata=acd8671192b90153", "-C", "extra-filename=-8f5e04394cdca436",
        "--out-dir", "/tmp/cap/target/debug/build/core-lib-8f5e04394cdca436", "-L", "dependency=/tmp/cap/target/debug/deps",
    ];

    public static readonly string[] ProcMacro =
    [
        "--crate-name", "macros", "--edition=2021", "macros/src/lib.rs", "--error-format=json",
        "--json=diagnostic-rendered-ansi,artifacts,future-incompat", "--crate-type", "proc-macro", "--emit=dep-info,link",
        "-C", "prefer-dynamic", "-C", "embed-bitcode=no", "-C", "debuginfo=2", "--check-cfg", "cfg(docsrs,test)",
        "--check-cfg", "cfg(feature, values())", "-C", "metadata=be9adf76fe3ea7f4", "-C", "extra-filename=-691acec484d0d39f",
        "--out-dir", "/tmp/cap/target/debug/deps", "-L", "dependency=/tmp/cap/target/debug/deps", "--extern", "proc_macro",
    ];

    public static readonly string[] Library =
    [
        "--crate-name", "corelib", "--edition=2021", "core/src/lib.rs", "--error-format=json",
        "--json=diagnostic-rendered-ansi,artifacts,future-incompat", "--crate-type", "lib", "--emit=dep-info,metadata,link",
        "-C", "embed-bitcode=no", "-C", "debuginfo=2", "--check-cfg", "cfg(docsrs,test)", "--check-cfg", "cfg(feature, values())",
        "-C", "metadata=c6000a6cca935cff", "-C", "extra-filename=-3ca8a1f16176afee", "--out-dir", "/tmp/cap/target/debug/deps",
        "-L", "dependency=/tmp/cap/target/debug/deps",
    ];

    public static readonly string[] Binary =
    [
        "--crate-name", "app", "--edition=2021", "app/src/main.rs", "--error-format=json",
        "--json=diagnostic-rendered-ansi,artifacts,future-incompat", "--crate-type", "bin", "--emit=dep-info,link",
        "-C", "embed-bitcode=no", "-C", "debuginfo=2", "--check-cfg", "cfg(docsrs,test)", "--check-cfg", "cfg(feature, values())",
        "-C", "metadata=7b944aa26651630c", "-C", "extra-filename=-e1e3aef56f736c42", "--out-dir", "/tmp/cap/target/debug/deps",
        "-L", "dependency=/tmp/cap/target/debug/deps",
        "--extern", "corelib=/tmp/cap/target/debug/deps/libcorelib-3ca8a1f16176afee.rlib",
        "--extern", "macros=/tmp/cap/target/debug/deps/libmacros-691acec484d0d39f.so",
    ];

    /// <summary>The environment cargo gave rustc for the library (OUT_DIR and its build script's rustc-env included).</summary>
    public static readonly Dictionary<string, string> LibraryEnvironment = new()
    {
        ["CARGO"] = "/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/cargo",
        ["CARGO_CRATE_NAME"] = "corelib",
        ["CARGO_HOME"] = "/root/.cargo",
        ["CARGO_INCREMENTAL"] = "0",
        ["CARGO_MAKEFLAGS"] = "-j --jobserver-fds=6,7 --jobserver-auth=6,7",
        ["CARGO_MANIFEST_DIR"] = "/tmp/cap/core",
        ["CARGO_MANIFEST_PATH"] = "/tmp/cap/core/Cargo.toml",
        ["CARGO_PKG_AUTHORS"] = "",
        ["CARGO_PKG_NAME"] = "core-lib",
        ["CARGO_PKG_VERSION"] = "0.1.0",
        ["CARGO_PRIMARY_PACKAGE"] = "1",
        ["CORE_GREETING"] = "hello",
        ["CORE_OTHER"] = "x=y",
        ["OUT_DIR"] = "/tmp/cap/target/debug/build/core-lib-8b94b8771affc12e/out",
        ["RUSTC_WRAPPER"] = "/tmp/cap-wrapper.sh",
        ["HOME"] = "/root",
        ["PATH"] = "/root/.cargo/bin:/usr/bin",
        ["CARGO_TERM_COLOR"] = "always",
        ["CARGO_REGISTRY_TOKEN"] = "secret",
    };
}
