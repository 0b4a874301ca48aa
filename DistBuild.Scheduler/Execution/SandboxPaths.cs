using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Scheduler.Execution;

/// <summary>
/// The paths of a Command that a worker turns into places on disk: the working directory and the output paths
/// (symlink targets are DirectoryRules.ValidateSymlinkPlacement's). Each must stay inside the input root. Workers
/// check the same again before they touch the disk (DistBuild.Worker's SandboxLayout and TreeMaterializer); checking here refuses a hostile action at once,
/// as INVALID_ARGUMENT, instead of sending it to workers to fail there attempt after attempt.
/// </summary>
public static class SandboxPaths
{
    /// <summary>Null when the working directory and every output path stay inside the input root, else why not.</summary>
    public static string? CheckCommand(Command command)
    {
        if (Resolve([], command.WorkingDirectory, "working_directory", out var working) is { } error)
            return error;
        foreach (var output in DeclaredOutputs(command))
        {
            if (Resolve(working, output, "output path", out var components) is { } outputError)
                return outputError;
            if (components.Count == working.Count)
                return $"output path '{output}' names the working directory itself";
        }
        return null;
    }

    /// <summary>The Command's output paths as it declares them.</summary>
    public static IEnumerable<string> DeclaredOutputs(Command command) =>
        // output_paths replaced output_files and output_directories in REAPI v2.1; older clients still send those.
#pragma warning disable CS0612 // the deprecated fields are read on purpose
        command.OutputPaths.Count > 0 ? command.OutputPaths : command.OutputFiles.Concat(command.OutputDirectories);
#pragma warning restore CS0612

    private static string? Resolve(IReadOnlyList<string> start, string path, string what, out List<string> components)
    {
        components = [.. start];
        if (path.StartsWith('/'))
            return $"{what} '{path}' is absolute; it must be relative to the {(what == "working_directory" ? "input root" : "working directory")}";
        if (path.Contains('\0'))
            return $"{what} '{path.Replace('\0', '?')}' contains a NUL character";
        foreach (var component in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (component == ".")
                continue;
            if (component != "..")
            {
                components.Add(component);
                continue;
            }
            if (components.Count == 0)
                return $"{what} '{path}' leaves the input root";
            components.RemoveAt(components.Count - 1);
        }
        return null;
    }
}
