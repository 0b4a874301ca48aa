using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using Google.Protobuf;
using Grpc.Net.Client;

namespace DistBuild.Scheduler.Tests.Support;

/// <summary>Uploads test content through the scheduler's own CAS API.</summary>
public static class Blobs
{
    public static async Task<Digest> UploadAsync(GrpcChannel channel, ByteString data)
    {
        var digest = Digests.Compute(data.Span);
        var cas = new ContentAddressableStorage.ContentAddressableStorageClient(channel);
        var response = await cas.BatchUpdateBlobsAsync(new BatchUpdateBlobsRequest { Requests = { new BatchUpdateBlobsRequest.Types.Request { Digest = digest, Data = data } } });
        Assert.Equal(0, response.Responses.Single().Status.Code);
        return digest;
    }

    public static Task<Digest> UploadAsync(GrpcChannel channel, IMessage message) => UploadAsync(channel, message.ToByteString());

    public static Task<Digest> UploadAsync(GrpcChannel channel, string text) => UploadAsync(channel, ByteString.CopyFromUtf8(text));

    /// <summary>A rustc action whose Command, input root and Action are all uploaded; returns the action digest.</summary>
    public static async Task<Digest> UploadRustcActionAsync(GrpcChannel channel, string crate, Platform? platform = null, string program = "rustc")
    {
        var source = await UploadAsync(channel, $"pub fn {crate}() {{}}\n");
        var root = new Build.Bazel.Remote.Execution.V2.Directory
        {
            Directories = { new DirectoryNode { Name = "src", Digest = await UploadAsync(channel, new Build.Bazel.Remote.Execution.V2.Directory { Files = { new FileNode { Name = "lib.rs", Digest = source } } }) } },
        };
        var command = new Command { Arguments = { program, "--crate-name", crate, "--crate-type", "lib", "src/lib.rs" }, OutputPaths = { $"lib{crate}.rlib" } };
        var action = new Build.Bazel.Remote.Execution.V2.Action
        {
            CommandDigest = await UploadAsync(channel, command),
            InputRootDigest = await UploadAsync(channel, root),
            Platform = platform ?? new Platform(),
        };
        return await UploadAsync(channel, action);
    }
}
