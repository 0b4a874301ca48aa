using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.InputTrees;
using Google.Protobuf.WellKnownTypes;
using Action = Build.Bazel.Remote.Execution.V2.Action;

namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// A rustc call as a REAPI action: the Command (`rustc` + cargo's arguments, the selected environment, output
/// paths relative to the working directory), the input tree at the client's absolute paths, and the Action that
/// ties them to the toolchain's platform. Its digest is the action-cache key, so everything in it is stable.
/// </summary>
public sealed class CompileAction
{
    private CompileAction(Action action, Command command, InputTree inputs, InputCollector.Result collected, IReadOnlyDictionary<string, string> outputs, IReadOnlySet<string> shareableOutputs)
    {
        Action = action;
        Command = command;
        Inputs = inputs;
        Collected = collected;
        OutputLocations = outputs;
        ShareableOutputs = shareableOutputs;
        var actionBlob = BlobSource.FromMessage(action);
        ActionDigest = actionBlob.Digest;
        Blobs = [.. inputs.Blobs, BlobSource.FromMessage(command), actionBlob];
    }

    public Action Action { get; }
    public Command Command { get; }
    public Digest ActionDigest { get; }
    public InputTree Inputs { get; }
    public InputCollector.Result Collected { get; }

    /// <summary>Every blob the CAS must hold to run the action: input files, Directory messages, Command and Action.</summary>
    public IReadOnlyList<BlobSource> Blobs { get; }

    /// <summary>Output path as declared (relative to the working directory) → absolute path on this machine.</summary>
    public IReadOnlyDictionary<string, string> OutputLocations { get; }

    /// <summary>The absolute output paths that may be hard links to their CAS blobs (<see cref="Compilation.ShareableOutputs"/>).</summary>
    public IReadOnlySet<string> ShareableOutputs { get; }

    public static CompileAction Create(
        RustcInvocation invocation,
        IReadOnlyDictionary<string, string> environment,
        Platform platform,
        TimeSpan? timeout,
        FileDigestCache digests)
    {
        var command = new Command { WorkingDirectory = TreePath(invocation.WorkingDirectory) };
        command.Arguments.Add("rustc");
        command.Arguments.AddRange(invocation.Arguments);
        environment.TryGetValue("OUT_DIR", out var outDir);
        foreach (var (name, value) in ActionEnvironment.Select(environment, ActionEnvironment.BuildScriptVariables(outDir)))
            command.EnvironmentVariables.Add(new Command.Types.EnvironmentVariable { Name = name, Value = value });

        // Output paths are relative to the working directory; a registry crate compiles in its own directory and
        // writes into the target directory elsewhere, so those paths climb out with "..".
        var outputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var output in OutputPrediction.Predict(invocation))
            outputs[Path.GetRelativePath(invocation.WorkingDirectory, output)] = output;
        command.OutputPaths.AddRange(outputs.Keys);

        var collected = InputCollector.Collect(invocation, environment);
        var tree = new InputTreeBuilder();
        foreach (var directory in collected.Directories)
        {
            if (TreePath(directory).Length > 0)
                tree.AddDirectory(TreePath(directory));
        }
        foreach (var file in collected.Files)
        {
            var (digest, executable) = digests.Get(file);
            tree.AddFile(TreePath(file), BlobSource.FromFile(file, digest), executable);
        }
        var inputs = tree.Build();

        var action = new Action
        {
            CommandDigest = Digests.Compute(command),
            InputRootDigest = inputs.RootDigest,
            Platform = platform,
        };
        if (timeout is { } limit)
            action.Timeout = Duration.FromTimeSpan(limit);
        return new CompileAction(action, command, inputs, collected, outputs, Compilation.ShareableOutputs.Of(invocation));
    }

    /// <summary>An absolute client path as a path under the input root: the same path without its leading '/'.</summary>
    public static string TreePath(string absolutePath) => Path.GetFullPath(absolutePath).TrimStart('/').TrimEnd('/');
}
