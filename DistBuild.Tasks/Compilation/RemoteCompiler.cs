using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Execution;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace DistBuild.Tasks.Compilation;

/// <summary>
/// Runs a compile action through REAPI: uploads the inputs the CAS lacks, executes, and writes the outputs the
/// action produced where rustc would have written them.
/// </summary>
public sealed class RemoteCompiler
{
    private readonly CasClient _cas;
    private readonly RemoteExecutor _executor;
    private readonly string _instanceName;
    private readonly FileDigestCache _digests;

    public RemoteCompiler(GrpcChannel channel, string instanceName, FileDigestCache digests)
    {
        _cas = new CasClient(channel, instanceName);
        _executor = new RemoteExecutor(channel);
        _instanceName = instanceName;
        _digests = digests;
    }

    /// <summary>What came back: either an infrastructure failure (<see cref="Failure"/>) or rustc's result.</summary>
    public sealed record Outcome(Google.Rpc.Status? Failure, bool Cached, string? Worker, int ExitCode, byte[] Stdout, byte[] Stderr, long UploadedBytes)
    {
        public static Outcome Failed(Google.Rpc.Status status) => new(status, false, null, 1, [], [], 0);
    }

    public async Task<Outcome> RunAsync(CompileAction action, CancellationToken cancellationToken)
    {
        try
        {
            var uploaded = await _cas.UploadMissingAsync(action.Blobs, cancellationToken);
            var blobs = new Dictionary<string, BlobSource>();
            foreach (var blob in action.Blobs)
                blobs.TryAdd(blob.Digest.Key(), blob);

            var request = new ExecuteRequest
            {
                InstanceName = _instanceName,
                ActionDigest = action.ActionDigest,
                DigestFunction = DigestFunction.Types.Value.Sha256,
            };
            var response = await _executor.ExecuteAsync(
                request,
                (missing, token) => _cas.UploadAsync(missing.Where(d => blobs.ContainsKey(d.Key())).Select(d => blobs[d.Key()]).ToList(), token),
                onStage: null,
                cancellationToken);
            if (response.Status is { Code: not 0 } status)
                return Outcome.Failed(status);
            if (response.Result is null)
                return Outcome.Failed(RichStatus.Of(StatusCode.Internal, "the ExecuteResponse carries neither a result nor an error"));

            var result = response.Result;
            await DownloadOutputsAsync(action, result, cancellationToken);
            var stdout = await ReadStreamAsync(result.StdoutRaw, result.StdoutDigest, cancellationToken);
            var stderr = await ReadStreamAsync(result.StderrRaw, result.StderrDigest, cancellationToken);
            return new Outcome(null, response.CachedResult, result.ExecutionMetadata?.Worker, result.ExitCode, stdout, stderr, uploaded);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return Outcome.Failed(RemoteExecutor.ToStatus(e));
        }
    }

    private async Task DownloadOutputsAsync(CompileAction action, ActionResult result, CancellationToken cancellationToken)
    {
        var downloads = new List<FileDownload>();
        foreach (var output in result.OutputFiles)
        {
            var path = action.OutputLocations.TryGetValue(output.Path, out var known)
                ? known
                : Path.GetFullPath(output.Path, "/" + action.Command.WorkingDirectory);
            if (!output.Contents.IsEmpty)
            {
                await WriteInlineAsync(path, output.Contents, output.IsExecutable, cancellationToken);
            }
            else
            {
                downloads.Add(new FileDownload(output.Digest, path, output.IsExecutable));
            }
        }
        await _cas.DownloadFilesAsync(downloads, cancellationToken);
        foreach (var output in result.OutputFiles)
        {
            if (action.OutputLocations.TryGetValue(output.Path, out var path))
                _digests.Seed(path, output.Digest);
        }
    }

    private static async Task WriteInlineAsync(string path, ByteString contents, bool isExecutable, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".distbuild-" + Guid.NewGuid().ToString("N")[..8];
        await File.WriteAllBytesAsync(temporary, contents.ToByteArray(), cancellationToken);
        if (isExecutable && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(temporary, File.GetUnixFileMode(temporary) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.Move(temporary, path, overwrite: true);
    }

    private async Task<byte[]> ReadStreamAsync(ByteString raw, Digest? digest, CancellationToken cancellationToken)
    {
        if (!raw.IsEmpty)
            return raw.ToByteArray();
        if (digest is null || digest.SizeBytes == 0)
            return [];
        return (await _cas.ReadAsync(digest, cancellationToken)).ToByteArray();
    }
}
