using Grpc.Net.Client;

namespace DistBuild.Protocol.Channels;

/// <summary>Creates gRPC channels with the settings every DistBuild client uses.</summary>
public static class GrpcChannels
{
    /// <summary>Large enough for a batch of small blobs or an inline output; big blobs stream instead.</summary>
    public const int MaxMessageSize = 16 << 20;

    /// <summary>
    /// A channel to <paramref name="address"/>; with <paramref name="bearerToken"/>, every call carries
    /// `authorization: Bearer TOKEN` (on plain http too, which call credentials would refuse).
    /// </summary>
    public static GrpcChannel Create(string address, string? bearerToken = null)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"'{address}' is not a scheduler address: expected http://HOST:PORT or https://HOST:PORT");
        HttpMessageHandler handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        if (!string.IsNullOrEmpty(bearerToken))
            handler = new BearerTokenHandler(bearerToken) { InnerHandler = handler };
        return GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageSize,
            MaxSendMessageSize = MaxMessageSize,
            HttpHandler = handler,
        });
    }

    private sealed class BearerTokenHandler(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
