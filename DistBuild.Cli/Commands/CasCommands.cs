using System.CommandLine;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using Grpc.Core;

namespace DistBuild.Cli.Commands;

/// <summary>`cas put FILE` uploads a file and prints its digest; `cas get DIGEST [-o FILE]` downloads a blob.</summary>
public static class CasCommands
{
    public static Command Create(CliSession session) =>
        new("cas", "The scheduler's content-addressable store") { CreatePut(session), CreateGet(session) };

    private static Command CreatePut(CliSession session)
    {
        var file = new Argument<string>("file") { Description = "The file to upload" };
        var put = new Command("put", "Uploads a file (if the store lacks it) and prints its digest HASH/SIZE") { file };
        put.SetAction(CommandActions.Guarded(session, async (parseResult, cancellationToken) =>
        {
            var path = Path.GetFullPath(parseResult.GetValue(file)!);
            if (!File.Exists(path))
                throw new CliException($"no such file: {path}");
            var digest = Digests.ComputeFile(path);
            using var connection = session.Connect(parseResult);
            await connection.Cas.UploadMissingAsync([BlobSource.FromFile(path, digest)], cancellationToken);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(Digests.Format(digest));
            return CommandActions.Success;
        }));
        return put;
    }

    private static Command CreateGet(CliSession session)
    {
        var digestArgument = new Argument<string>("digest") { Description = "HASH/SIZE of the blob" };
        var outputFile = new Option<string>("--output", "-o") { Description = "Write the blob to this file instead of stdout", HelpName = "FILE" };
        var get = new Command("get", "Downloads a blob to stdout or a file") { digestArgument, outputFile };
        get.SetAction(CommandActions.Guarded(session, async (parseResult, cancellationToken) =>
        {
            var digest = JobCommands.ParseDigest(parseResult.GetValue(digestArgument)!);
            var target = parseResult.GetValue(outputFile);
            using var connection = session.Connect(parseResult);
            try
            {
                if (target is not null)
                {
                    await connection.Cas.DownloadFilesAsync([new FileDownload(digest, Path.GetFullPath(target), IsExecutable: false)], cancellationToken);
                    return CommandActions.Success;
                }
                var data = await connection.Cas.ReadAsync(digest, cancellationToken);
                await parseResult.InvocationConfiguration.Output.FlushAsync(cancellationToken);
                await using var stdout = session.OpenStandardOutput();
                await stdout.WriteAsync(data.Memory, cancellationToken);
                await stdout.FlushAsync(cancellationToken);
                return CommandActions.Success;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                throw new CliException($"blob {Digests.Format(digest)} is not in the CAS");
            }
        }));
        return get;
    }
}
