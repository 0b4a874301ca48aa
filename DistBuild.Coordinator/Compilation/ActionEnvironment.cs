namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// The environment variables that go into a compile action: what rustc (through env!/option_env!) may read, and
/// nothing that changes between two identical builds, because the environment is part of the action-cache key.
/// </summary>
public static class ActionEnvironment
{
    /// <summary>
    /// CARGO_ variables that are cargo configuration, per-run plumbing or secrets rather than package facts: the
    /// jobserver (CARGO_MAKEFLAGS names file descriptors of this run), the user's home and target directory (the
    /// paths rustc needs are in its arguments already), flags cargo turned into arguments, tokens.
    /// </summary>
    private static readonly HashSet<string> ExcludedNames = new(StringComparer.Ordinal)
    {
        "CARGO_MAKEFLAGS", "CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR", "CARGO_INCREMENTAL",
        "CARGO_CACHE_RUSTC_INFO", "CARGO_LOG", "CARGO_ENCODED_RUSTFLAGS", "CARGO_ENCODED_RUSTDOCFLAGS",
        "CARGO_ENV_CONFIG", "CARGO_SBOM_PATH",
    };

    private static readonly string[] ExcludedPrefixes =
    [
        "CARGO_BUILD_", "CARGO_TERM_", "CARGO_LOG_", "CARGO_HTTP_", "CARGO_NET_", "CARGO_REGISTRY_", "CARGO_REGISTRIES_",
        "CARGO_PROFILE_", "CARGO_ALIAS_", "CARGO_UNSTABLE_", "CARGO_SOURCE_", "CARGO_FUTURE_INCOMPAT_", "CARGO_RESOLVER_",
        "CARGO_DOC_", "CARGO_CARGO_NEW_", "CARGO_INSTALL_", "CARGO_PATCH_", "CARGO_CREDENTIAL_", "CARGO_GIT_",
        "CARGO_GITOXIDE_", "CARGO_HOST_", "CARGO_TARGET_",
    ];

    /// <summary>Set by cargo for integration tests and benches; a package fact despite its CARGO_TARGET_ prefix.</summary>
    private const string TargetTmpDir = "CARGO_TARGET_TMPDIR";

    /// <summary>The variables of <paramref name="environment"/> that enter the action, sorted by name.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Select(
        IReadOnlyDictionary<string, string> environment, IEnumerable<string> buildScriptVariables)
    {
        var selected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            if (IsIncluded(name))
                selected[name] = value;
        }
        foreach (var name in buildScriptVariables)
        {
            if (environment.TryGetValue(name, out var value))
                selected[name] = value;
        }
        return selected.ToList();
    }

    public static bool IsIncluded(string name)
    {
        if (name is "OUT_DIR" or "RUSTC_BOOTSTRAP" or TargetTmpDir)
            return true;
        if (!name.StartsWith("CARGO_", StringComparison.Ordinal) && name != "CARGO")
            return false;
        if (ExcludedNames.Contains(name) || name.Contains("TOKEN", StringComparison.Ordinal))
            return false;
        return !ExcludedPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>
    /// The names a package's build script set with `cargo:rustc-env=K=V` (or `cargo::rustc-env=`). Cargo writes the
    /// script's output to `output` beside OUT_DIR and passes those variables to rustc, so the crate may read them.
    /// </summary>
    public static IReadOnlyList<string> BuildScriptVariables(string? outDir)
    {
        if (string.IsNullOrEmpty(outDir))
            return [];
        var outputFile = Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(outDir)) ?? outDir, "output");
        if (!File.Exists(outputFile))
            return [];
        return ParseBuildScriptOutput(File.ReadLines(outputFile));
    }

    public static IReadOnlyList<string> ParseBuildScriptOutput(IEnumerable<string> lines)
    {
        var names = new List<string>();
        foreach (var line in lines)
        {
            var rest = line.StartsWith("cargo::rustc-env=", StringComparison.Ordinal) ? line["cargo::rustc-env=".Length..]
                : line.StartsWith("cargo:rustc-env=", StringComparison.Ordinal) ? line["cargo:rustc-env=".Length..]
                : null;
            var equals = rest?.IndexOf('=') ?? -1;
            if (equals > 0)
                names.Add(rest![..equals]);
        }
        return names;
    }
}
