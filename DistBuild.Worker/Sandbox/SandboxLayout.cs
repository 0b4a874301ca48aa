using Build.Bazel.Remote.Execution.V2;
using DistBuild.Worker.Jobs;
using Grpc.Core;

namespace DistBuild.Worker.Sandbox;

/// <summary>
/// Where a job's files live: the input root, the working directory inside it, and each output path. Every path
/// comes from the client, so each is checked to stay inside the input root before anything touches the disk.
/// </summary>
public sealed class SandboxLayout
{
    private SandboxLayout(string root, string workingDirectory, IReadOnlyList<(string Relative, string Full)> outputs)
    {
        Root = root;
        WorkingDirectory = workingDirectory;
        Outputs = outputs;
    }

    public string Root { get; }

    public string WorkingDirectory { get; }

    /// <summary>Each output path as the Command names it (relative to the working directory) and its place on disk.</summary>
    public IReadOnlyList<(string Relative, string Full)> Outputs { get; }

    public static SandboxLayout For(string root, Command command)
    {
        root = root.TrimEnd('/');
        var working = Resolve([], command.WorkingDirectory, "working directory");
        var outputs = new List<(string, string)>();
        // output_paths replaced output_files and output_directories in REAPI v2.1; older clients still send those.
#pragma warning disable CS0612 // the deprecated fields are read on purpose
        var declared = command.OutputPaths.Count > 0 ? command.OutputPaths : command.OutputFiles.Concat(command.OutputDirectories);
#pragma warning restore CS0612
        foreach (var output in declared)
        {
            var components = Resolve(working, output, "output path");
            if (components.Count == working.Count)
                throw JobFailure.Of(StatusCode.InvalidArgument, $"output path '{output}' names the working directory itself");
            outputs.Add((output, Full(root, components)));
        }
        return new SandboxLayout(root, Full(root, working), outputs);
    }

    /// <summary>Creates the working directory and every output's parent (REAPI leaves that to the server), and unlinks an output that is already there as an input, so the job cannot write through a hard link into the blob cache.</summary>
    public void Prepare()
    {
        System.IO.Directory.CreateDirectory(WorkingDirectory);
        foreach (var (_, full) in Outputs)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            if (File.Exists(full))
                File.Delete(full);
        }
    }

    private static List<string> Resolve(IReadOnlyList<string> start, string path, string what)
    {
        if (path.StartsWith('/'))
            throw JobFailure.Of(StatusCode.InvalidArgument, $"{what} '{path}' is absolute; it must be relative to the {(start.Count == 0 && what.StartsWith("working") ? "input root" : "working directory")}");
        var components = new List<string>(start);
        foreach (var component in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (component == ".")
                continue;
            if (component == "..")
            {
                if (components.Count == 0)
                    throw JobFailure.Of(StatusCode.InvalidArgument, $"{what} '{path}' leaves the input root");
                components.RemoveAt(components.Count - 1);
                continue;
            }
            if (component.Contains('\0'))
                throw JobFailure.Of(StatusCode.InvalidArgument, $"{what} '{path}' contains a NUL character");
            components.Add(component);
        }
        return components;
    }

    private static string Full(string root, IReadOnlyList<string> components) =>
        components.Count == 0 ? root : root + "/" + string.Join('/', components);
}
