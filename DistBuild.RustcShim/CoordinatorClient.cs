using System.Collections;
using System.Net.Sockets;
using DistBuild.Coordinator.Compilation;

namespace DistBuild.RustcShim;

/// <summary>Sends one rustc call to the coordinator over its Unix domain socket and waits for the answer.</summary>
internal static class CoordinatorClient
{
    /// <summary>The coordinator's answer, or null when there is no coordinator to ask (the caller then runs rustc itself).</summary>
    public static ShimResponse? TrySend(string socketPath, ShimRequest request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException)
        {
            // No coordinator listening (a stale variable, or the build that set it is gone): compile locally, silently.
            return null;
        }

        try
        {
            using var stream = new NetworkStream(socket, ownsSocket: false);
            stream.Write(ShimProtocol.EncodeRequest(request));
            return ShimProtocol.DecodeResponse(ShimProtocol.ReadFrame(stream));
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or InvalidDataException)
        {
            // The coordinator went away mid-call. Compiling locally is safe (a compile is idempotent) and keeps the build going.
            Console.Error.WriteLine($"warning: distbuild: lost the coordinator at {socketPath} ({e.Message}); compiling locally");
            return null;
        }
    }

    public static Dictionary<string, string> CurrentEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        return environment;
    }
}
