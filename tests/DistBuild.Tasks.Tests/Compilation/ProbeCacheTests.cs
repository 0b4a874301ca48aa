using DistBuild.Coordinator.Compilation;
using DistBuild.Testing;
using static DistBuild.Tasks.Tests.Compilation.CargoCommandLines;

namespace DistBuild.Tasks.Tests.Compilation;

/// <summary>
/// The probe cache against a real rustc behind a script that counts its runs: what a second build (a new cache on the
/// same directory) gets without running rustc, and every change that must make it ask rustc again.
/// </summary>
public class ProbeCacheTests
{
    private readonly string _directory = TemporaryDirectory.Create("probe-cache");
    private string Runs => Path.Combine(_directory, "runs");
    private string CacheDirectory => Path.Combine(_directory, "cache");

    /// <summary>
    /// A rustc that notes each run, then is the machine's rustc (whose rustup must not see a test's RUSTUP_* values); in
    /// a directory of its own, as a toolchain's is.
    /// </summary>
    private string CountingRustc(string directory, string exitWith = "")
    {
        Directory.CreateDirectory(directory);
        var rustc = Path.Combine(directory, "rustc");
        var run = exitWith.Length > 0 ? $"exit {exitWith}" : $"unset RUSTUP_HOME RUSTUP_TOOLCHAIN\nexec '{RustTools.Rustc}' \"$@\"";
        File.WriteAllText(rustc, $"#!/bin/sh\necho run >> '{Runs}'\n{run}\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(rustc, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return rustc;
    }

    private int RustcRuns => File.Exists(Runs) ? File.ReadAllLines(Runs).Length : 0;

    private ShimRequest Request(string rustc, string[]? arguments = null, Dictionary<string, string>? environment = null) =>
        new(rustc, arguments ?? TargetInfoProbe, _directory, environment ?? new Dictionary<string, string>
        {
            ["PATH"] = RustTools.CargoBin + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["HOME"] = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        }, StdinIsNull: true);

    /// <summary>One build's cache: a new instance, as each coordinator makes its own.</summary>
    private Task<LocalRustcRunner.Output> AskInANewBuildAsync(ShimRequest request, string? directory = null) =>
        new ProbeCache(directory ?? CacheDirectory).AnswerAsync(request, CancellationToken.None);

    [Fact]
    public async Task A_later_build_gets_rustcs_own_answer_without_running_it()
    {
        var request = Request(CountingRustc(Path.Combine(_directory, "toolchain")));
        var direct = await LocalRustcRunner.RunAsync(request, CancellationToken.None);

        var first = await AskInANewBuildAsync(request);
        var second = await AskInANewBuildAsync(request);
        var third = await AskInANewBuildAsync(request);

        Assert.True(direct.ExitCode == 0, System.Text.Encoding.UTF8.GetString(direct.Stderr));
        Assert.Contains("___", System.Text.Encoding.UTF8.GetString(direct.Stdout));
        foreach (var answer in new[] { first, second, third })
        {
            Assert.Equal(0, answer.ExitCode);
            Assert.Equal(direct.Stdout, answer.Stdout);
            Assert.Equal(direct.Stderr, answer.Stderr);
        }
        Assert.Equal(2, RustcRuns);
    }

    [Fact]
    public async Task Within_one_build_a_question_runs_rustc_once_even_without_a_directory()
    {
        var request = Request(CountingRustc(Path.Combine(_directory, "toolchain")), ["-vV"]);
        var cache = new ProbeCache(null);

        var answers = await Task.WhenAll(cache.AnswerAsync(request, CancellationToken.None), cache.AnswerAsync(request, CancellationToken.None));
        var nextBuild = await AskInANewBuildAsync(request, directory: null);

        Assert.All(answers, a => Assert.Contains("release:", System.Text.Encoding.UTF8.GetString(a.Stdout)));
        Assert.Equal(2, RustcRuns);
        Assert.Equal(answers[0].Stdout, nextBuild.Stdout);
    }

    [Fact]
    public async Task Other_arguments_a_variable_rustc_reads_or_a_changed_rustc_ask_rustc_again()
    {
        var rustc = CountingRustc(Path.Combine(_directory, "toolchain"));
        var request = Request(rustc);
        await AskInANewBuildAsync(request);

        await AskInANewBuildAsync(request with { Arguments = [.. TargetInfoProbe, "--target", "x86_64-unknown-linux-gnu"] });
        await AskInANewBuildAsync(request with { Environment = new Dictionary<string, string>(request.Environment) { ["RUSTC_BOOTSTRAP"] = "1" } });
        // A variable rustc does not read (cargo's per-build jobserver, the coordinator's socket) changes nothing.
        await AskInANewBuildAsync(request with { Environment = new Dictionary<string, string>(request.Environment) { ["CARGO_MAKEFLAGS"] = "-j --jobserver-fds=3,4" } });
        Assert.Equal(3, RustcRuns);

        // An updated toolchain: the same path, another file.
        File.SetLastWriteTimeUtc(rustc, DateTime.UtcNow.AddMinutes(1));
        await AskInANewBuildAsync(request);
        Assert.Equal(4, RustcRuns);
    }

    [Fact]
    public async Task A_failed_answer_is_not_kept()
    {
        var request = Request(CountingRustc(Path.Combine(_directory, "toolchain"), exitWith: "3"));

        var first = await AskInANewBuildAsync(request);
        var second = await AskInANewBuildAsync(request);

        Assert.Equal((3, 3), (first.ExitCode, second.ExitCode));
        Assert.Equal(2, RustcRuns);
    }

    [Fact]
    public async Task A_damaged_cache_file_is_a_miss_and_is_replaced()
    {
        var request = Request(CountingRustc(Path.Combine(_directory, "toolchain")));
        var good = await AskInANewBuildAsync(request);
        foreach (var file in Directory.GetFiles(CacheDirectory))
            File.WriteAllText(file, "{\"stdout\": 12");

        var again = await AskInANewBuildAsync(request);
        var afterRepair = await AskInANewBuildAsync(request);

        Assert.Equal(good.Stdout, again.Stdout);
        Assert.Equal(good.Stdout, afterRepair.Stdout);
        Assert.Equal(2, RustcRuns);
    }

    [Fact]
    public async Task A_rustup_proxy_is_kept_only_for_the_toolchain_RUSTUP_TOOLCHAIN_names_and_only_while_that_toolchain_is_unchanged()
    {
        // A proxy: rustc with rustup beside it, as in ~/.cargo/bin.
        var bin = Path.Combine(_directory, "cargo-home", "bin");
        var proxy = CountingRustc(bin);
        File.WriteAllText(Path.Combine(bin, "rustup"), "");
        var rustupHome = Path.Combine(_directory, "rustup-home");
        var toolchainRustc = Path.Combine(rustupHome, "toolchains", "stable-test", "bin", "rustc");
        Directory.CreateDirectory(Path.GetDirectoryName(toolchainRustc)!);
        File.WriteAllText(toolchainRustc, "");

        // Unpinned, rustup picks the toolchain (by directory, by its default): nothing outlives the build.
        var unpinned = Request(proxy);
        await AskInANewBuildAsync(unpinned);
        await AskInANewBuildAsync(unpinned);
        Assert.Equal(2, RustcRuns);

        // Pinned as cargo's own proxy pins it: kept, until that toolchain's rustc changes (`rustup update`).
        var pinned = unpinned with
        {
            Environment = new Dictionary<string, string>(unpinned.Environment) { ["RUSTUP_HOME"] = rustupHome, ["RUSTUP_TOOLCHAIN"] = "stable-test" },
        };
        await AskInANewBuildAsync(pinned);
        await AskInANewBuildAsync(pinned);
        Assert.Equal(3, RustcRuns);
        File.SetLastWriteTimeUtc(toolchainRustc, DateTime.UtcNow.AddMinutes(1));
        await AskInANewBuildAsync(pinned);
        Assert.Equal(4, RustcRuns);
    }
}
