using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.InputTrees;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Action = Build.Bazel.Remote.Execution.V2.Action;

namespace DistBuild.Worker.Tests.Integration;

/// <summary>
/// A rustc action as the coordinator builds one: sources at their absolute client paths under the input root,
/// cargo's working directory, output paths relative to it. The client paths do not exist on this machine, so
/// a job only works when the worker rewrites them into its sandbox.
/// </summary>
public sealed class RustAction
{
    public const string ClientProject = "/home/client/hello";

    private readonly InputTreeBuilder _inputs = new();

    public RustAction(string crateName, string mainSource, TimeSpan? timeout = null, bool library = false)
    {
        CrateName = crateName;
        Source = mainSource;
        var source = library ? "src/lib.rs" : "src/main.rs";
        _inputs.AddFile(ClientProject.TrimStart('/') + "/" + source, BlobSource.FromBytes(ByteString.CopyFromUtf8(mainSource)), isExecutable: false);
        _inputs.AddDirectory(ClientProject.TrimStart('/') + "/target/debug/deps");
        Command.Arguments.AddRange([
            "rustc", "--crate-name", crateName, "--edition=2021", source, "--error-format=json",
            "--json=diagnostic-rendered-ansi,artifacts,future-incompat", "--crate-type", library ? "lib" : "bin",
            library ? "--emit=dep-info,metadata,link" : "--emit=dep-info,link",
            "-C", "debuginfo=2", "-C", "extra-filename=-0123", "--out-dir", ClientProject + "/target/debug/deps",
            "-L", "dependency=" + ClientProject + "/target/debug/deps",
        ]);
        Command.WorkingDirectory = ClientProject.TrimStart('/');
        BinaryPath = library ? $"target/debug/deps/lib{crateName}-0123.rlib" : $"target/debug/deps/{crateName}-0123";
        Command.OutputPaths.AddRange(library ? [BinaryPath, $"target/debug/deps/lib{crateName}-0123.rmeta", DepInfoPath] : [BinaryPath, DepInfoPath]);
        Command.EnvironmentVariables.Add(new Command.Types.EnvironmentVariable { Name = "CARGO_MANIFEST_DIR", Value = ClientProject });
        Timeout = timeout;
    }

    /// <summary>Adds an artifact the client already holds (an rlib of a dependency) as `--extern NAME=/client/path`.</summary>
    public void AddExtern(string crateName, string outputPath, Digest digest)
    {
        var clientPath = ClientProject + "/" + outputPath;
        _inputs.AddFile(clientPath.TrimStart('/'), new BlobSource(digest, null, null), isExecutable: false);
        Command.Arguments.AddRange(["--extern", $"{crateName}={clientPath}"]);
    }

    public string CrateName { get; }

    /// <summary>The crate's one source file.</summary>
    public string Source { get; }

    public Command Command { get; } = new();

    public TimeSpan? Timeout { get; }

    /// <summary>The binary, or the rlib of a library.</summary>
    public string BinaryPath { get; }

    public string DepInfoPath => $"target/debug/deps/{CrateName}-0123.d";

    /// <summary>The action, its digest and every blob the CAS needs for it.</summary>
    public (Digest ActionDigest, Action Action, IReadOnlyList<BlobSource> Blobs) Build()
    {
        var tree = _inputs.Build();
        var command = BlobSource.FromMessage(Command);
        var action = new Action { CommandDigest = command.Digest, InputRootDigest = tree.RootDigest, DoNotCache = true };
        if (Timeout is { } timeout)
            action.Timeout = Duration.FromTimeSpan(timeout);
        var actionBlob = BlobSource.FromMessage(action);
        return (actionBlob.Digest, action, [.. tree.Blobs, command, actionBlob]);
    }

    /// <summary>A program that keeps rustc busy in const evaluation for far longer than any test waits.</summary>
    public const string EndlessCompile = """
        #![allow(long_running_const_eval)]
        const fn spin() -> u64 { let mut i = 0u64; let mut s = 0u64; while i < 500_000_000_000 { s = s.wrapping_add(i); i += 1; } s }
        const X: u64 = spin();
        fn main() { println!("{}", X); }
        """;
}
