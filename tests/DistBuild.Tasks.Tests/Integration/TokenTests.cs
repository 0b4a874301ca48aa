using System.Net;
using System.Net.Sockets;
using System.Text;
using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Coordination;
using DistBuild.Tasks.Tests.Support;

namespace DistBuild.Tasks.Tests.Integration;

public class TokenTests
{
    [Fact]
    public async Task Token_goes_to_the_scheduler_as_bearer_authorization_and_never_into_the_log()
    {
        // A listener that records what the client sends and never answers a call: .NET writes HTTP/2 header values
        // without Huffman coding, so the value is visible in the raw bytes ("authorization" itself is an HPACK
        // static-table index). The server's SETTINGS frame and ACK are sent so the client proceeds to its request.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var received = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0 });
            var bytes = new List<byte>();
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!Encoding.ASCII.GetString(bytes.ToArray()).Contains("Bearer t0k3n-xyz"))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                    break;
                bytes.AddRange(buffer.AsSpan(0, read).ToArray());
            }
            return Encoding.ASCII.GetString(bytes.ToArray());
        });
        var log = new RecordingLog();
        await using var coordinator = new RustcCoordinator(new CoordinatorSettings(url, "", "t0k3n-xyz", LocalFallback: true, null), log);

        await coordinator.StartAsync(CancellationToken.None);

        Assert.Contains("Bearer t0k3n-xyz", await received.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(log.Warnings, w => w.Contains("DISTB0101"));
        Assert.DoesNotContain(log.Lines, l => l.Contains("t0k3n-xyz"));
    }
}
