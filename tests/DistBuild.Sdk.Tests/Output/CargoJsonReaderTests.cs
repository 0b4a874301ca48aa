using DistBuild.Coordinator.Cargo;
using DistBuild.Protocol.Diagnostics;
using DistBuild.Testing;

namespace DistBuild.Sdk.Tests.Output;

public sealed class CargoJsonReaderTests
{
    [Fact]
    public void Type_error_becomes_an_msbuild_error_with_rustc_code_and_the_full_path_of_the_primary_span()
    {
        var workspace = TemporaryDirectory.Create("json-reader");
        Directory.CreateDirectory(Path.Combine(workspace, "crates/a/src"));
        File.WriteAllText(Path.Combine(workspace, "crates/a/src/main.rs"), "fn main() {}\n");
        var manifest = Path.Combine(workspace, "crates/a/Cargo.toml");
        var line = """
            {"reason":"compiler-message","package_id":"path+file://WORKSPACE/crates/a#0.1.0","manifest_path":"MANIFEST","target":{"kind":["bin"],"crate_types":["bin"],"name":"a"},"message":{"rendered":"error[E0308]: mismatched types\n","$message_type":"diagnostic","children":[],"level":"error","message":"mismatched types","spans":[{"column_end":15,"column_start":12,"file_name":"crates/a/src/main.rs","is_primary":false,"label":"expected due to this","line_end":2,"line_start":2},{"column_end":21,"column_start":18,"file_name":"crates/a/src/main.rs","is_primary":true,"label":"expected `i32`, found `&str`","line_end":2,"line_start":2}],"code":{"code":"E0308","explanation":"…"}}}
            """.Replace("WORKSPACE", workspace).Replace("MANIFEST", manifest);

        var message = Assert.IsType<CompilerDiagnosticMessage>(CargoJsonReader.Parse(line));

        Assert.Equal(
            new BuildDiagnostic(DiagnosticSeverity.Error, "rustc", "E0308", "E0308", Path.Combine(workspace, "crates/a/src/main.rs"), 2, 18, 2, 21,
                "mismatched types: expected `i32`, found `&str`"),
            message.Diagnostic);
    }

    [Fact]
    public void Closing_notes_of_rustc_are_not_shown_again()
    {
        const string line = """{"reason":"compiler-message","manifest_path":"/x/Cargo.toml","message":{"level":"failure-note","message":"For more information about this error, try `rustc --explain E0308`.","spans":[],"code":null}}""";

        Assert.Null(CargoJsonReader.Parse(line));
    }

    [Fact]
    public void Cdylib_and_bin_artifacts_are_selected_and_rlibs_are_not()
    {
        const string cdylib = """{"reason":"compiler-artifact","package_id":"path+file:///w/native-lib#0.1.0","manifest_path":"/w/native-lib/Cargo.toml","target":{"kind":["cdylib"],"crate_types":["cdylib"],"name":"native_lib"},"filenames":["/t/debug/libnative_lib.so"],"executable":null,"fresh":false}""";
        const string bin = """{"reason":"compiler-artifact","package_id":"path+file:///w/crates/hello#0.1.0","manifest_path":"/w/crates/hello/Cargo.toml","target":{"kind":["bin"],"crate_types":["bin"],"name":"hello"},"filenames":["/t/debug/hello"],"executable":"/t/debug/hello","fresh":true}""";
        const string rlib = """{"reason":"compiler-artifact","package_id":"registry+https://github.com/rust-lang/crates.io-index#serde@1.0.152","manifest_path":"/r/serde/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"serde"},"filenames":["/t/debug/deps/libserde-1.rlib"],"executable":null,"fresh":false}""";
        const string libNamedBin = """{"reason":"compiler-artifact","package_id":"path+file:///w/crates/bin#0.1.0","manifest_path":"/w/crates/bin/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"bin"},"filenames":["/t/debug/deps/libbin-1.rlib"],"executable":null,"fresh":false}""";

        Assert.Equal([("cdylib", "/t/debug/libnative_lib.so")], RustArtifacts.Select((CompilerArtifactMessage)CargoJsonReader.Parse(cdylib)!));
        Assert.Equal([("bin", "/t/debug/hello")], RustArtifacts.Select((CompilerArtifactMessage)CargoJsonReader.Parse(bin)!));
        // An rlib's line is skipped without being parsed; one that merely mentions "bin" is parsed and still not selected.
        Assert.Null(CargoJsonReader.Parse(rlib));
        Assert.Empty(RustArtifacts.Select((CompilerArtifactMessage)CargoJsonReader.Parse(libNamedBin)!));
    }

    [Theory]
    [InlineData("path+file:///w/crates/hello#0.1.0", "hello")]
    [InlineData("path+file:///w/crates/dir#other-name@0.1.0", "other-name")]
    [InlineData("registry+https://github.com/rust-lang/crates.io-index#serde@1.0.152", "serde")]
    public void Package_name_is_read_from_the_package_id(string packageId, string name) =>
        Assert.Equal(name, CargoJsonReader.PackageName(packageId));
}
