namespace DistBuild.Tasks.Tests.Support;

/// <summary>
/// A small cargo workspace with no external crates that still exercises every kind of compile: a library with a
/// build script (generated source in OUT_DIR, a rustc-env variable), a proc-macro, and a binary using both.
/// </summary>
internal static class SampleWorkspace
{
    public const string ExpectedOutput = "hello from the build script, generated 42, macro 7";

    public static void Write(string root)
    {
        var files = new Dictionary<string, string>
        {
            ["Cargo.toml"] = """
                [workspace]
                members = ["core", "macros", "app"]
                resolver = "2"
                """,
            ["core/Cargo.toml"] = """
                [package]
                name = "core-lib"
                version = "0.1.0"
                edition = "2021"
                build = "build.rs"

                [lib]
                name = "corelib"
                """,
            ["core/build.rs"] = """
                fn main() {
                    let out = std::env::var("OUT_DIR").unwrap();
                    std::fs::write(format!("{out}/generated.rs"), "pub const GENERATED: u32 = 42;\n").unwrap();
                    println!("cargo:rustc-env=CORE_GREETING=hello from the build script");
                    println!("cargo:rerun-if-changed=build.rs");
                }
                """,
            ["core/src/lib.rs"] = """
                include!(concat!(env!("OUT_DIR"), "/generated.rs"));
                pub fn greeting() -> &'static str { env!("CORE_GREETING") }
                """,
            ["macros/Cargo.toml"] = """
                [package]
                name = "macros"
                version = "0.1.0"
                edition = "2021"

                [lib]
                proc-macro = true
                """,
            ["macros/src/lib.rs"] = """
                use proc_macro::TokenStream;
                #[proc_macro]
                pub fn seven(_item: TokenStream) -> TokenStream { "fn seven() -> u32 { 7 }".parse().unwrap() }
                """,
            ["app/Cargo.toml"] = """
                [package]
                name = "app"
                version = "0.1.0"
                edition = "2021"

                [dependencies]
                core-lib = { path = "../core" }
                macros = { path = "../macros" }
                """,
            ["app/src/main.rs"] = """
                macros::seven!();
                fn main() { println!("{}, generated {}, macro {}", corelib::greeting(), corelib::GENERATED, seven()); }
                """,
        };
        Write(root, files);
    }

    /// <summary>Writes each file (path relative to <paramref name="root"/>) with a final newline.</summary>
    public static void Write(string root, IReadOnlyDictionary<string, string> files)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(root, path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content + "\n");
        }
    }
}
