using System.Globalization;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using Google.Protobuf.WellKnownTypes;
using Action = Build.Bazel.Remote.Execution.V2.Action;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.Cli.Jobs;

/// <summary>
/// The REAPI action that compiles one Rust source file already in the CAS: an input root holding only that
/// file, and `rustc --crate-name NAME --edition YEAR --crate-type TYPE main.rs --out-dir out`. Its platform is
/// empty, so any worker may run it.
/// </summary>
public sealed class SingleFileJob
{
    public const string SourceFileName = "main.rs";
    public const string OutputDirectory = "out";
    public static readonly IReadOnlyList<string> CrateTypes = ["bin", "lib"];

    private SingleFileJob(Action action, Command command, Directory inputRoot)
    {
        Action = action;
        Command = command;
        InputRoot = inputRoot;
        ActionDigest = Digests.Compute(action);
    }

    public Action Action { get; }
    public Command Command { get; }
    public Directory InputRoot { get; }
    public Digest ActionDigest { get; }

    /// <summary>Where rustc writes its result, relative to the working directory (the input root).</summary>
    public string OutputPath => Command.OutputPaths.Single();

    /// <summary>The blobs the CAS needs besides the source file: the input root Directory, the Command and the Action.</summary>
    public IReadOnlyList<BlobSource> Blobs =>
        [BlobSource.FromMessage(InputRoot), BlobSource.FromMessage(Command), BlobSource.FromMessage(Action)];

    public static SingleFileJob Create(Digest source, string crateName, string crateType, int edition, TimeSpan? timeout)
    {
        if (!IsCrateName(crateName))
            throw new ArgumentException($"'{crateName}' is not a crate name: use letters, digits and '_', not starting with a digit");
        if (!CrateTypes.Contains(crateType))
            throw new ArgumentException($"crate type '{crateType}' is not supported: use {string.Join(" or ", CrateTypes)}");

        var inputRoot = new Directory();
        inputRoot.Files.Add(new FileNode { Name = SourceFileName, Digest = source });

        var command = new Command();
        command.Arguments.Add([
            "rustc",
            "--crate-name", crateName,
            "--edition", edition.ToString(CultureInfo.InvariantCulture),
            "--crate-type", crateType,
            SourceFileName,
            "--out-dir", OutputDirectory,
        ]);
        command.OutputPaths.Add($"{OutputDirectory}/{OutputFileName(crateName, crateType)}");

        var action = new Action
        {
            CommandDigest = Digests.Compute(command),
            InputRootDigest = Digests.Compute(inputRoot),
        };
        if (timeout is { } value)
            action.Timeout = Duration.FromTimeSpan(value);
        return new SingleFileJob(action, command, inputRoot);
    }

    /// <summary>The file rustc names its output on Linux: the crate name for a bin, lib{name}.rlib for a lib.</summary>
    public static string OutputFileName(string crateName, string crateType) =>
        crateType == "lib" ? $"lib{crateName}.rlib" : crateName;

    private static bool IsCrateName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
