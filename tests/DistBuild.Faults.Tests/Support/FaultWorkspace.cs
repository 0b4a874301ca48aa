namespace DistBuild.Faults.Tests.Support;

/// <summary>
/// A cargo workspace of four crates where one, `slow`, spends seconds in const evaluation, so a fault can be
/// injected while a worker is in the middle of compiling it: base ← slow, base ← mid, slow + mid ← app (bin).
/// </summary>
internal static class FaultWorkspace
{
    /// <summary>Iterations of the const loop: a few seconds of rustc on this machine.</summary>
    public const ulong SlowIterations = 600_000;

    /// <summary>What the built binary prints; the slow value is computed here the way the const fn does.</summary>
    public static string ExpectedOutput => $"base 5, mid 12, slow {SlowValue(SlowIterations) + 5}";

    public static ulong SlowValue(ulong iterations)
    {
        ulong acc = 1;
        for (ulong i = 0; i < iterations; i++)
            acc = unchecked(acc * 6364136223846793005UL + i);
        return acc;
    }

    /// <summary>The body of the slow crate: a const evaluated by rustc, taking <paramref name="iterations"/> steps.</summary>
    public static string SlowSource(ulong iterations, string extra = "") => $$"""
        #![allow(long_running_const_eval)]
        const fn work(n: u64) -> u64 { let mut i = 0; let mut acc = 1u64; while i < n { acc = acc.wrapping_mul(6364136223846793005).wrapping_add(i); i += 1; } acc }
        pub const SLOW: u64 = work({{iterations}});
        {{extra}}
        """;

    public static void Write(string root)
    {
        var files = new Dictionary<string, string>
        {
            ["Cargo.toml"] = """
                [workspace]
                members = ["base", "slow", "mid", "app"]
                resolver = "2"
                """,
            ["base/Cargo.toml"] = Package("base", ""),
            ["base/src/lib.rs"] = "pub fn base() -> u64 { 5 }",
            ["slow/Cargo.toml"] = Package("slow", "base = { path = \"../base\" }"),
            ["slow/src/lib.rs"] = SlowSource(SlowIterations, "pub fn slow() -> u64 { SLOW.wrapping_add(base::base()) }"),
            ["mid/Cargo.toml"] = Package("mid", "base = { path = \"../base\" }"),
            ["mid/src/lib.rs"] = "pub fn mid() -> u64 { base::base() * 2 + 2 }",
            ["app/Cargo.toml"] = Package("app", "base = { path = \"../base\" }\nslow = { path = \"../slow\" }\nmid = { path = \"../mid\" }"),
            ["app/src/main.rs"] = """fn main() { println!("base {}, mid {}, slow {}", base::base(), mid::mid(), slow::slow()); }""",
        };
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content + "\n");
        }
    }

    private static string Package(string name, string dependencies) => $"""
        [package]
        name = "{name}"
        version = "0.1.0"
        edition = "2021"

        [dependencies]
        {dependencies}
        """;
}
