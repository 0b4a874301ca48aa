using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.InputTrees;
using DistBuild.Scheduler.Cas;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Action = Build.Bazel.Remote.Execution.V2.Action;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.Scheduler.Execution;

/// <summary>
/// Reads an action from the CAS and checks it before it is queued: the Action, the Command and every
/// directory and file of the input tree must be present (otherwise <see cref="MissingInputsException"/>
/// lists all that are missing, so the client uploads them in one round), the tree must follow the
/// standard's rules, the command must be rustc, and the timeout within the server's maximum.
/// </summary>
public sealed class ActionLoader(ContentStore store, IOptions<SchedulerOptions> options)
{
    private readonly SchedulerOptions _options = options.Value;

    public LoadedAction Load(Digest actionDigest)
    {
        var action = Read(actionDigest, Action.Parser, "Action") ?? throw new MissingInputsException([actionDigest]);
        Check(action.CommandDigest, "the action's command_digest");
        Check(action.InputRootDigest, "the action's input_root_digest");

        var missing = new List<Digest>();
        var command = Read(action.CommandDigest, Command.Parser, "Command");
        if (command is null)
            missing.Add(action.CommandDigest);
        var directories = FindMissingInputs(action.InputRootDigest, missing);
        if (missing.Count > 0)
            throw new MissingInputsException(missing);
        CheckInputSize(action.InputRootDigest, directories);

        if (command!.Arguments.Count == 0)
            throw new ActionRejectedException("the command has no arguments");
        var program = Path.GetFileName(command.Arguments[0]);
        if (program != "rustc")
            throw new ActionRejectedException($"this scheduler runs only rustc, and the command runs '{command.Arguments[0]}'");
        if (SandboxPaths.CheckCommand(command) is { } pathError)
            throw new ActionRejectedException(pathError);

        var timeout = action.Timeout?.ToTimeSpan() ?? TimeSpan.Zero;
        if (timeout < TimeSpan.Zero)
            throw new ActionRejectedException($"the action's timeout {timeout} is negative");
        if (timeout > _options.MaxJobTimeout)
            throw new ActionRejectedException($"the action's timeout of {timeout.TotalSeconds:0.###} s exceeds this scheduler's maximum of {_options.MaxJobTimeout.TotalSeconds:0.###} s (Scheduler:MaxJobTimeout)");
        if (timeout == TimeSpan.Zero)
            timeout = _options.DefaultJobTimeout;

        // Platform moved from Command to Action in REAPI 2.2; older clients still send it on the Command.
#pragma warning disable CS0612 // Command.platform is deprecated, and read here for exactly that reason.
        var platform = action.Platform ?? command.Platform ?? new Platform();
#pragma warning restore CS0612
        return new LoadedAction(actionDigest, action, command, platform, timeout, JobDescription.Of(command));
    }

    /// <summary>A description for an action served from the cache, when its Command is at hand.</summary>
    public string Describe(Digest actionDigest)
    {
        try
        {
            var action = Read(actionDigest, Action.Parser, "Action");
            var command = action?.CommandDigest is { } digest && Digests.TryValidate(digest, out _) ? Read(digest, Command.Parser, "Command") : null;
            return command is null ? $"action {Digests.Format(actionDigest)}" : JobDescription.Of(command);
        }
        catch (ActionRejectedException)
        {
            return $"action {Digests.Format(actionDigest)}";
        }
    }

    /// <summary>Walks the tree once, collecting missing blobs; returns the directories read, by digest key.</summary>
    private Dictionary<string, Directory> FindMissingInputs(Digest root, List<Digest> missing)
    {
        var directories = new Dictionary<string, Directory>(StringComparer.Ordinal);
        // Breadth first, so a directory is first met at its shallowest place, where its symlinks have the least room to climb.
        var queue = new Queue<(Digest Digest, string Path)>([(root, "")]);
        var seen = new HashSet<string>(StringComparer.Ordinal) { root.Key() };
        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        while (queue.TryDequeue(out var next))
        {
            var (digest, path) = next;
            var directory = Read(digest, Directory.Parser, "Directory");
            if (directory is null)
            {
                missing.Add(digest);
                continue;
            }
            if (DirectoryRules.Validate(directory) is { } error)
                throw new ActionRejectedException($"input directory {Digests.Format(digest)}: {error}");
            if (directory.Symlinks.Select(s => DirectoryRules.ValidateSymlinkPlacement(path, s)).FirstOrDefault(e => e is not null) is { } symlinkError)
                throw new ActionRejectedException($"input directory '{(path.Length == 0 ? "/" : path)}': {symlinkError}");
            directories[digest.Key()] = directory;
            foreach (var file in directory.Files)
            {
                if (seenFiles.Add(file.Digest.Key()) && !store.Contains(file.Digest))
                    missing.Add(file.Digest);
            }
            foreach (var child in directory.Directories)
            {
                if (seen.Add(child.Digest.Key()))
                    queue.Enqueue((child.Digest, path.Length == 0 ? child.Name : path + "/" + child.Name));
            }
        }
        return directories;
    }

    /// <summary>
    /// The tree as the worker materialises it: a subdirectory that occurs twice is written twice, so totals count
    /// every occurrence (computed per distinct directory, so a tree of shared subtrees cannot make this slow).
    /// </summary>
    private void CheckInputSize(Digest root, Dictionary<string, Directory> directories)
    {
        var totals = new Dictionary<string, (long Files, long Bytes)>(StringComparer.Ordinal);
        (long Files, long Bytes) Total(Digest digest)
        {
            var key = digest.Key();
            if (totals.TryGetValue(key, out var known))
                return known;
            var directory = directories[key];
            long files = directory.Files.Count, bytes = directory.Files.Sum(f => f.Digest.SizeBytes);
            foreach (var child in directory.Directories)
            {
                var (childFiles, childBytes) = Total(child.Digest);
                // Saturate: a hostile tree of shared subtrees could overflow a long.
                files = Math.Min(files + childFiles, long.MaxValue / 2);
                bytes = Math.Min(bytes + childBytes, long.MaxValue / 2);
            }
            return totals[key] = (files, bytes);
        }

        var (files, bytes) = Total(root);
        if (files > _options.MaxInputFiles)
            throw new ActionRejectedException($"the input tree holds {files} files, more than this scheduler's limit of {_options.MaxInputFiles} (Scheduler:MaxInputFiles)");
        if (bytes > _options.MaxInputBytes)
            throw new ActionRejectedException($"the input files add up to {bytes} bytes, more than this scheduler's limit of {_options.MaxInputBytes} bytes (Scheduler:MaxInputBytes)");
    }

    private T? Read<T>(Digest digest, MessageParser<T> parser, string kind) where T : class, IMessage<T>
    {
        var data = store.TryRead(digest);
        if (data is null)
            return null;
        try
        {
            return parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ActionRejectedException($"blob {Digests.Format(digest)} is not a valid {kind} message: {e.Message}");
        }
    }

    private static void Check(Digest? digest, string what)
    {
        if (!Digests.TryValidate(digest, out var error))
            throw new ActionRejectedException($"{what}: {error}");
    }
}
