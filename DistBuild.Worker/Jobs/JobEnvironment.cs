using System.Collections;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Worker.Sandbox;

namespace DistBuild.Worker.Jobs;

/// <summary>
/// The environment a job's rustc sees: the worker's own (PATH for the linker, HOME for rustup), without
/// anything that would change what rustc does (CARGO_*, RUSTC*, RUST_*), overlaid with the Command's variables
/// (their absolute paths pointed into the sandbox), a TMPDIR inside the job directory and the worker's jobserver.
/// </summary>
public static class JobEnvironment
{
    private static readonly string[] ExcludedPrefixes = ["CARGO_", "RUSTC", "RUST_"];

    /// <param name="makeFlags">CARGO_MAKEFLAGS naming the worker's jobserver (<see cref="RustcJobserver.MakeFlags"/>); it
    /// replaces any the Command carries, which would name a jobserver on the client.</param>
    public static Dictionary<string, string> Build(IDictionary workerEnvironment, Command command, PathRewriter rewriter, string temporaryDirectory, string makeFlags)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in workerEnvironment)
        {
            var name = (string)entry.Key;
            if (!ExcludedPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
                environment[name] = (string?)entry.Value ?? "";
        }
        foreach (var variable in command.EnvironmentVariables)
            environment[variable.Name] = rewriter.RewriteValue(variable.Value);
        environment["TMPDIR"] = temporaryDirectory;
        environment["CARGO_MAKEFLAGS"] = makeFlags;
        return environment;
    }
}
