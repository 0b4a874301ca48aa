using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DistBuild.Protocol.Channels;

/// <summary>
/// The server side of <see cref="GrpcChannels"/>'s bearer token: when tokens are configured, every call of every
/// service must carry `authorization: Bearer TOKEN` with one of them, else it ends UNAUTHENTICATED before the
/// service sees it. Tokens are compared as SHA-256 hashes in constant time, so timing tells nothing about them.
/// </summary>
public sealed class BearerTokenInterceptor : Interceptor
{
    private readonly byte[][] _tokenHashes;
    private readonly string _serverName;

    /// <param name="tokens">Accepted tokens; none means every call is let through.</param>
    /// <param name="serverName">How messages name this server ("scheduler", "worker").</param>
    public BearerTokenInterceptor(IEnumerable<string> tokens, string serverName)
    {
        _tokenHashes = tokens.Where(t => !string.IsNullOrEmpty(t)).Select(Hash).ToArray();
        _serverName = serverName;
    }

    public bool Enabled => _tokenHashes.Length > 0;

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authenticate(ServerCallContext context)
    {
        if (!Enabled)
            return;
        var header = context.RequestHeaders.GetValue("authorization");
        if (string.IsNullOrEmpty(header))
            throw Refused($"this {_serverName} requires a bearer token: send the header 'authorization: Bearer TOKEN' (distbuild --token, DISTBUILD_TOKEN, or the DistBuildToken property)");
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw Refused($"this {_serverName} accepts only bearer tokens: the authorization header must read 'Bearer TOKEN'");
        if (!IsAccepted(header["Bearer ".Length..].Trim()))
            throw Refused($"the bearer token is not valid for this {_serverName}");
    }

    /// <summary>Checks every configured token, whatever matched, so the time taken does not say which.</summary>
    public bool IsAccepted(string token)
    {
        var presented = Hash(token);
        var accepted = false;
        foreach (var hash in _tokenHashes)
            accepted |= CryptographicOperations.FixedTimeEquals(presented, hash);
        return accepted;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static RpcException Refused(string message) => new(new Status(StatusCode.Unauthenticated, message));
}
