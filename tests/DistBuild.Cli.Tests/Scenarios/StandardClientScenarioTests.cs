using System.Diagnostics;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Cli.Tests.Harness;
using DistBuild.Testing;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace DistBuild.Cli.Tests.Scenarios;

/// <summary>
/// The scheduler as any REAPI v2 client sees it: these tests use only the generated stubs of the protocol,
/// resource names and digests built by hand from the specification, and none of DistBuild's client code.
/// </summary>
public sealed class StandardClientScenarioTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Blob_uploaded_under_a_wrong_digest_is_refused_and_stays_missing()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 0);
        using var channel = GrpcChannel.ForAddress(cluster.Scheduler.Url);
        var cas = new ContentAddressableStorage.ContentAddressableStorageClient(channel);
        var data = ByteString.CopyFromUtf8("the bytes actually sent");
        var claimed = StandardDigests.Of(ByteString.CopyFromUtf8("the bytes the digest names"));
        claimed.SizeBytes = data.Length;

        var batch = new BatchUpdateBlobsRequest { Requests = { new BatchUpdateBlobsRequest.Types.Request { Digest = claimed, Data = data } } };
        var code = await StatusOfAsync(async () => (await cas.BatchUpdateBlobsAsync(batch)).Responses.Single().Status);

        Assert.Equal(StatusCode.InvalidArgument, code);
        var missing = await cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { claimed } });
        Assert.Contains(claimed, missing.MissingBlobDigests);

        var byteStream = new ByteStream.ByteStreamClient(channel);
        var streamed = await StatusOfAsync(async () =>
        {
            await WriteAsync(byteStream, claimed, data);
            return new Google.Rpc.Status();
        });
        Assert.Equal(StatusCode.InvalidArgument, streamed);
        Assert.Contains(claimed, (await cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { claimed } })).MissingBlobDigests);

        var get = await cluster.Cli.RunAsync("cas", "get", $"{claimed.Hash}/{claimed.SizeBytes}");
        Assert.Equal(1, get.ExitCode);
        Assert.Contains("is not in the CAS", get.Stderr);
    }

    [Fact]
    public async Task Standard_client_compiles_a_program_whose_binary_runs()
    {
        await using var cluster = await Cluster.StartAsync(log, workers: 1);
        using var channel = GrpcChannel.ForAddress(cluster.Scheduler.Url);

        var capabilities = await new Capabilities.CapabilitiesClient(channel).GetCapabilitiesAsync(new GetCapabilitiesRequest());
        Assert.Contains(DigestFunction.Types.Value.Sha256, capabilities.CacheCapabilities.DigestFunctions);
        Assert.True(capabilities.ExecutionCapabilities.ExecEnabled);

        var source = ByteString.CopyFromUtf8(RustSources.Hello);
        var sourceDirectory = new Build.Bazel.Remote.Execution.V2.Directory { Files = { new FileNode { Name = "main.rs", Digest = StandardDigests.Of(source) } } };
        var root = new Build.Bazel.Remote.Execution.V2.Directory
        {
            Directories = { new DirectoryNode { Name = "src", Digest = StandardDigests.Of(sourceDirectory.ToByteString()) } },
        };
        var command = new Command
        {
            Arguments = { "rustc", "--crate-name", "hello", "--edition", "2021", "--crate-type", "bin", "src/main.rs", "-o", "bin/hello" },
            OutputPaths = { "bin/hello" },
        };
        var action = new Build.Bazel.Remote.Execution.V2.Action
        {
            CommandDigest = StandardDigests.Of(command.ToByteString()),
            InputRootDigest = StandardDigests.Of(root.ToByteString()),
        };
        var blobs = new[] { source, sourceDirectory.ToByteString(), root.ToByteString(), command.ToByteString(), action.ToByteString() }
            .ToDictionary(blob => StandardDigests.Of(blob));

        var cas = new ContentAddressableStorage.ContentAddressableStorageClient(channel);
        var missing = await cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { blobs.Keys } });
        Assert.Equal(blobs.Count, missing.MissingBlobDigests.Count);
        var byteStream = new ByteStream.ByteStreamClient(channel);
        foreach (var digest in missing.MissingBlobDigests)
            await WriteAsync(byteStream, digest, blobs[digest]);
        Assert.Empty((await cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { blobs.Keys } })).MissingBlobDigests);

        var execution = new Build.Bazel.Remote.Execution.V2.Execution.ExecutionClient(channel);
        var request = new ExecuteRequest { ActionDigest = StandardDigests.Of(action.ToByteString()) };
        Google.LongRunning.Operation? last = null;
        using (var call = execution.Execute(request, deadline: DateTime.UtcNow + Timeouts.Compile))
        {
            await foreach (var operation in call.ResponseStream.ReadAllAsync())
                last = operation;
        }
        Assert.NotNull(last);
        Assert.True(last.Done, "the Execute stream ended before the operation was done");
        var response = last.Response.Unpack<ExecuteResponse>();
        Assert.True(response.Status is null || response.Status.Code == 0, $"execution failed: {response.Status}");
        Assert.True(response.Result.ExitCode == 0, $"rustc failed: {response.Result}");
        var output = Assert.Single(response.Result.OutputFiles, f => f.Path == "bin/hello");

        var binary = Path.Combine(TemporaryDirectory.Create("standard-client"), "hello");
        await using (var file = File.Create(binary))
        {
            using var read = byteStream.Read(new ReadRequest { ResourceName = $"blobs/{output.Digest.Hash}/{output.Digest.SizeBytes}" });
            await foreach (var chunk in read.ResponseStream.ReadAllAsync())
                chunk.Data.WriteTo(file);
        }
        Assert.Equal(output.Digest, StandardDigests.Of(ByteString.CopyFrom(await File.ReadAllBytesAsync(binary))));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var run = Process.Start(new ProcessStartInfo(binary) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var printed = await run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync().WaitAsync(Timeouts.Short);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(RustSources.HelloGreeting, printed.Trim());
    }

    /// <summary>ByteStream Write of one blob in a single chunk, resource name as the specification spells it.</summary>
    private static async Task WriteAsync(ByteStream.ByteStreamClient byteStream, Digest digest, ByteString data)
    {
        using var call = byteStream.Write();
        await call.RequestStream.WriteAsync(new WriteRequest
        {
            ResourceName = $"uploads/{Guid.NewGuid()}/blobs/{digest.Hash}/{digest.SizeBytes}",
            WriteOffset = 0,
            FinishWrite = true,
            Data = data,
        });
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        Assert.Equal(digest.SizeBytes, response.CommittedSize);
    }

    /// <summary>The status of an operation, whether the server reports it per blob or fails the whole call.</summary>
    private static async Task<StatusCode> StatusOfAsync(Func<Task<Google.Rpc.Status>> call)
    {
        try
        {
            return (StatusCode)(await call()).Code;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
