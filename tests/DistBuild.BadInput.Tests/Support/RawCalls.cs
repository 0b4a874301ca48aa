using Grpc.Core;
using Grpc.Net.Client;

namespace DistBuild.BadInput.Tests.Support;

/// <summary>
/// Calls any method with raw bytes in place of a protobuf message, so the server's own deserialiser sees
/// whatever a broken or hostile client sends.
/// </summary>
public static class RawCalls
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    public static async Task UnaryAsync(GrpcChannel channel, string fullMethod, byte[] payload)
    {
        var method = Create(MethodType.Unary, fullMethod);
        await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(deadline: Deadlines.Short()), payload);
    }

    public static async Task ServerStreamingAsync(GrpcChannel channel, string fullMethod, byte[] payload)
    {
        var method = Create(MethodType.ServerStreaming, fullMethod);
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, new CallOptions(deadline: Deadlines.Short()), payload);
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
        }
    }

    public static async Task ClientStreamingAsync(GrpcChannel channel, string fullMethod, byte[] payload)
    {
        var method = Create(MethodType.ClientStreaming, fullMethod);
        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(method, null, new CallOptions(deadline: Deadlines.Short()));
        try
        {
            await call.RequestStream.WriteAsync(payload);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may answer before the client finished writing; the response below carries its status.
        }
        await call.ResponseAsync;
    }

    private static Method<byte[], byte[]> Create(MethodType type, string fullMethod)
    {
        var slash = fullMethod.LastIndexOf('/');
        return new Method<byte[], byte[]>(type, fullMethod[1..slash], fullMethod[(slash + 1)..], Bytes, Bytes);
    }
}
