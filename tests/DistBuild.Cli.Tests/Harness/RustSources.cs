namespace DistBuild.Cli.Tests.Harness;

/// <summary>Rust programs the scenarios compile.</summary>
public static class RustSources
{
    public const string HelloGreeting = "hello from a distbuild worker";

    public const string Hello = $$"""
        fn main() {
            println!("{{HelloGreeting}}");
        }
        """;

    public const string NotRust = """
        # DistBuild

        A README is not a Rust program.
        """;

    /// <summary>
    /// A program whose compile takes seconds of CPU: rustc evaluates a constant with a loop of
    /// <paramref name="iterations"/> steps (about 5 s per million here). The lint that stops long constant
    /// evaluation is allowed. A different <paramref name="salt"/> gives a different action, so no cache hit.
    /// </summary>
    public static string SlowToCompile(int iterations = 1_000_000, int salt = 0) => $$"""
        #![allow(long_running_const_eval)]
        const fn work(n: u64) -> u64 {
            let mut i = 0;
            let mut acc = {{salt}}u64;
            while i < n {
                acc = acc.wrapping_mul(6364136223846793005).wrapping_add(i);
                i += 1;
            }
            acc
        }
        const RESULT: u64 = work({{iterations}});
        fn main() {
            println!("{}", RESULT);
        }
        """;
}
