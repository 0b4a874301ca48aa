using System.Net.Security;
using Grpc.Net.Client;

namespace DistBuild.Protocol.Channels;

/// <summary>Creates gRPC channels with the settings every DistBuild client uses.</summary>
public static class GrpcChannels
{
    /// <summary>Large enough for a batch of small blobs or an inline output; big blobs stream instead.</summary>
    public const int MaxMessageSize = 16 << 20;

    /// <summary>PEM file of the CA (or self-signed certificate) that https servers are verified against, when no path is given.</summary>
    public const string CaCertificateEnvironmentVariable = "DISTBUILD_CA_CERT";

    /// <summary>
    /// A channel to <paramref name="address"/>; with <paramref name="bearerToken"/>, every call carries
    /// `authorization: Bearer TOKEN` (on plain http too, which call credentials would refuse). An https server's
    /// certificate must chain to <paramref name="caCertificatePath"/> (else $DISTBUILD_CA_CERT) when one is set,
    /// else to the system's trusted roots.
    /// </summary>
    /// <exception cref="ArgumentException">The address is not an http(s) URL, or the CA file cannot be read.</exception>
    public static GrpcChannel Create(string address, string? bearerToken = null, string? caCertificatePath = null)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"'{address}' is not a scheduler address: expected http://HOST:PORT or https://HOST:PORT");
        var socketsHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            // The default 64 KiB receive window stalls a streamed download on every window update; the
            // scheduler's Kestrel uses windows of this size for uploads.
            InitialHttp2StreamWindowSize = 8 << 20,
        };
        if (string.IsNullOrEmpty(caCertificatePath))
            caCertificatePath = Environment.GetEnvironmentVariable(CaCertificateEnvironmentVariable);
        if (!string.IsNullOrEmpty(caCertificatePath) && uri.Scheme == "https")
        {
            var trust = TrustedRoots.Load(caCertificatePath);
            socketsHandler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = trust.Validate };
        }
        HttpMessageHandler handler = socketsHandler;
        if (!string.IsNullOrEmpty(bearerToken))
            handler = new BearerTokenHandler(bearerToken) { InnerHandler = handler };
        return GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageSize,
            MaxSendMessageSize = MaxMessageSize,
            HttpHandler = handler,
            // After a refused connection grpc-dotnet fails every call at once until its reconnect backoff ends (1 s at
            // first, growing to 2 minutes by default). Every DistBuild client retries on its own terms, so the channel
            // stays ready to try again soon: a worker started beside its scheduler registers as soon as that listens,
            // and one whose scheduler was down for minutes is back within seconds of it.
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
            MaxReconnectBackoff = TimeSpan.FromSeconds(5),
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
