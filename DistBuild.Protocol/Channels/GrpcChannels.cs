using Grpc.Net.Client;

namespace DistBuild.Protocol.Channels;

/// <summary>Creates gRPC channels with the settings every DistBuild client uses.</summary>
public static class GrpcChannels
{
    /// <summary>Large enough for a batch of small blobs or an inline output; big blobs stream instead.</summary>
    public const int MaxMessageSize = 16 << 20;

    public static GrpcChannel Create(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"'{address}' is not a scheduler address: expected http://HOST:PORT or https://HOST:PORT");
        return GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageSize,
            MaxSendMessageSize = MaxMessageSize,
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(20),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                ConnectTimeout = TimeSpan.FromSeconds(5),
            },
        });
    }
}
