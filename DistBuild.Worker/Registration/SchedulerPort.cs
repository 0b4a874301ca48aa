using System.Net.Sockets;

namespace DistBuild.Worker.Registration;

/// <summary>
/// Waits for the scheduler's port to take a TCP connection before the first registration. A worker started beside its
/// scheduler (the embedded default) is often ready first, and a gRPC call the scheduler refuses puts the channel into
/// its reconnect backoff, which the registration then waits out: 100–150 ms of a first build's first compile,
/// measured. A refused TCP connection costs nothing to try again a few milliseconds later.
/// </summary>
public static class SchedulerPort
{
    private static readonly TimeSpan PollPeriod = TimeSpan.FromMilliseconds(5);

    /// <summary>True once a connection to the URL's host and port succeeds; false when none did within <paramref name="patience"/> or the URL names no port.</summary>
    public static async Task<bool> WaitUntilListeningAsync(string schedulerUrl, TimeSpan patience, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(schedulerUrl, UriKind.Absolute, out var uri) || uri.Port <= 0)
            return false;
        // Also bounds a connect that hangs (a remote scheduler behind a firewall that drops packets).
        using var patienceEnds = new CancellationTokenSource(patience, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, patienceEnds.Token);
        try
        {
            while (true)
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(uri.Host, uri.Port, waiting.Token);
                    return true;
                }
                catch (SocketException)
                {
                    // Not listening yet, or unreachable: the registration loop says which once the wait is over.
                }
                await Task.Delay(PollPeriod, time, waiting.Token);
            }
        }
        catch (OperationCanceledException) when (patienceEnds.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
