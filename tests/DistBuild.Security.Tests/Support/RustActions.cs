using System.Diagnostics;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using DistBuild.Protocol.InputTrees;
using DistBuild.Testing;
using Google.Protobuf;
using Grpc.Net.Client;
using Action = Build.Bazel.Remote.Execution.V2.Action;

namespace DistBuild.Security.Tests.Support;

/// <summary>Builds REAPI rustc actions the way the coordinator does (inputs at their absolute paths under the root) and runs them.</summary>
public static class RustActions
{
    /// <summary>
    /// Compiles a proc macro crate locally, then returns the action that compiles a library using it remotely:
    /// the macro runs inside the worker's rustc, which is where a sandbox must hold it.
    /// </summary>
    public static async Task<PreparedAction> ProcMacroUseAsync(string macroBody, string crateName = "uses_probe")
    {
        var directory = TemporaryDirectory.Create("proc-macro");
        var macroSource = Path.Combine(directory, "probe.rs");
        await File.WriteAllTextAsync(macroSource, $$"""
            extern crate proc_macro;
            use proc_macro::TokenStream;

            #[proc_macro]
            pub fn probe(_input: TokenStream) -> TokenStream {
                {{macroBody}}
                TokenStream::new()
            }
            """);
        await RunLocalRustcAsync(directory, "--crate-name", "probe", "--crate-type", "proc-macro", "--edition", "2021", "probe.rs", "--out-dir", directory);
        var macro = Path.Combine(directory, "libprobe.so");
        var main = Path.Combine(directory, "lib.rs");
        await File.WriteAllTextAsync(main, "probe::probe!();\npub fn answer() -> u32 { 42 }\n");
        return Prepare(directory, [main, macro],
            ["rustc", "--crate-name", crateName, "--edition", "2021", "--crate-type", "lib", "lib.rs", "--extern", $"probe={macro}", "--out-dir", "out"],
            [$"out/lib{crateName}.rlib"]);
    }

    /// <summary>An action over the given files (at their absolute paths) run from <paramref name="workingDirectory"/>.</summary>
    public static PreparedAction Prepare(string workingDirectory, IReadOnlyList<string> files, IReadOnlyList<string> arguments, IReadOnlyList<string> outputs)
    {
        var tree = new InputTreeBuilder();
        foreach (var file in files)
            tree.AddFile(file.TrimStart('/'), BlobSource.FromBytes(ByteString.CopyFrom(File.ReadAllBytes(file))), isExecutable: false);
        var inputs = tree.Build();
        var command = new Command { WorkingDirectory = workingDirectory.TrimStart('/') };
        command.Arguments.Add(arguments);
        command.OutputPaths.Add(outputs);
        var action = new Action { CommandDigest = Digests.Compute(command), InputRootDigest = inputs.RootDigest, DoNotCache = true };
        return new PreparedAction(action, [.. inputs.Blobs, BlobSource.FromMessage(command), BlobSource.FromMessage(action)]);
    }

    /// <summary>Uploads the action's blobs and executes it to the end.</summary>
    public static async Task<ExecuteResponse> ExecuteAsync(GrpcChannel channel, PreparedAction prepared, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var cas = new CasClient(channel, "");
        await cas.UploadMissingAsync(prepared.Blobs, cancellation.Token);
        var executor = new RemoteExecutor(channel, TimeSpan.FromSeconds(5));
        return await executor.ExecuteAsync(
            new ExecuteRequest { ActionDigest = prepared.ActionDigest, SkipCacheLookup = true },
            (_, _) => Task.CompletedTask, null, cancellation.Token);
    }

    /// <summary>rustc's stderr of a finished action, inline or from the CAS.</summary>
    public static async Task<string> StderrAsync(GrpcChannel channel, ActionResult result)
    {
        if (!result.StderrRaw.IsEmpty || result.StderrDigest is null || result.StderrDigest.SizeBytes == 0)
            return result.StderrRaw.ToStringUtf8();
        return (await new CasClient(channel, "").ReadAsync(result.StderrDigest, CancellationToken.None)).ToStringUtf8();
    }

    private static async Task RunLocalRustcAsync(string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("rustc", arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(process.ExitCode == 0, $"local rustc {string.Join(' ', arguments)} failed:\n{await stderr}");
    }
}

/// <summary>An action and every blob it needs in the CAS.</summary>
public sealed record PreparedAction(Action Action, IReadOnlyList<BlobSource> Blobs)
{
    public Digest ActionDigest => Digests.Compute(Action);
}
