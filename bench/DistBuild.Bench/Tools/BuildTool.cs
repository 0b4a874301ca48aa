using DistBuild.Bench.Running;
using DistBuild.Bench.Workspaces;

namespace DistBuild.Bench.Tools;

/// <summary>One way of building a Cargo workspace that the benchmark compares (plain cargo, sccache, DistBuild).</summary>
public abstract class BuildTool
{
    /// <summary>How long one build (or restore) may take before the bench gives up on it.</summary>
    internal static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);

    public abstract string Name { get; }

    /// <summary>Starts a repetition with an empty cache (and whatever server the tool needs, started untimed).</summary>
    public virtual Task BeginRepetitionAsync(string workDirectory, string label, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops what <see cref="BeginRepetitionAsync"/> started.</summary>
    public virtual Task EndRepetitionAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Builds the workspace (debug profile) into <paramref name="targetDirectory"/> and returns how long it took.</summary>
    public abstract Task<TimeSpan> BuildAsync(BenchWorkspace workspace, string targetDirectory, CancellationToken cancellationToken);

    /// <summary>A line about the last build worth keeping (cache statistics), or null.</summary>
    public virtual Task<string?> DescribeLastBuildAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>
    /// The environment every tool's cargo runs with: no incremental compilation (DistBuild sets it, sccache cannot
    /// cache incremental builds, so plain cargo gets it too for a like-for-like comparison), no wrapper inherited
    /// from the caller, no colours.
    /// </summary>
    protected static Dictionary<string, string?> CargoEnvironment(string targetDirectory)
    {
        var cargoBin = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cargo", "bin");
        return new Dictionary<string, string?>
        {
            ["CARGO_INCREMENTAL"] = "0",
            ["CARGO_TARGET_DIR"] = targetDirectory,
            ["CARGO_TERM_COLOR"] = "never",
            ["CARGO_BUILD_RUSTC_WRAPPER"] = null,
            ["RUSTC_WRAPPER"] = null,
            ["RUSTC_WORKSPACE_WRAPPER"] = null,
            ["PATH"] = cargoBin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
        };
    }

    protected static async Task<TimeSpan> RunCargoAsync(BenchWorkspace workspace, Dictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        // From the workspace root, so a workspace's .cargo/config.toml (the realistic sample's directory source) applies.
        var result = await CommandRunner.RunCheckedAsync("cargo", ["build", "--offline"], workspace.Root, environment, BuildTimeout, cancellationToken);
        return result.Elapsed;
    }

    protected static Task<CommandResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken) =>
        CommandRunner.RunCheckedAsync(fileName, arguments, workingDirectory, environment, BuildTimeout, cancellationToken);
}
