using System.CommandLine;
using System.Net.Sockets;
using Grpc.Core;

namespace DistBuild.Cli.Commands;

/// <summary>
/// Runs a command's body and turns every failure into one line on stderr and exit code 1, so a user never
/// sees a stack trace: an unreachable scheduler, a bad digest, an unknown job id all read as sentences.
/// </summary>
public static class CommandActions
{
    public const int Success = 0;
    public const int Failure = 1;

    public static Func<ParseResult, CancellationToken, Task<int>> Guarded(CliSession session, Func<ParseResult, CancellationToken, Task<int>> body) =>
        async (parseResult, cancellationToken) =>
        {
            try
            {
                return await body(parseResult, cancellationToken);
            }
            catch (Exception e)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("error: " + Describe(e, session.SchedulerUrlOf(parseResult)));
                return Failure;
            }
        };

    /// <summary>The one-line message for a failure, naming the scheduler when it could not be reached.</summary>
    public static string Describe(Exception e, string schedulerUrl) => e switch
    {
        CliException => e.Message,
        // grpc-dotnet reports a failed TLS handshake as INTERNAL or UNAVAILABLE, depending on where it broke.
        RpcException rpc when IsCertificateFailure(rpc.Status.DebugException) =>
            $"cannot reach the scheduler at {schedulerUrl}: its TLS certificate is not trusted ({Innermost(rpc.Status.DebugException)}); " +
            $"if a private CA signed it, pass --ca-cert FILE or set {CliSession.CaCertificateEnvironmentVariable}",
        RpcException { StatusCode: StatusCode.Unavailable } rpc =>
            $"cannot reach the scheduler at {schedulerUrl}: {Innermost(rpc.Status.DebugException) ?? rpc.Status.Detail}",
        RpcException { StatusCode: StatusCode.Unauthenticated } rpc =>
            $"the scheduler at {schedulerUrl} refused the call: {rpc.Status.Detail}",
        RpcException { StatusCode: StatusCode.DeadlineExceeded } =>
            $"the scheduler at {schedulerUrl} did not answer within {SchedulerConnection.CallTimeout.TotalSeconds:0} s",
        RpcException { StatusCode: StatusCode.Cancelled } => "cancelled",
        RpcException rpc => $"the scheduler answered {rpc.StatusCode}: {rpc.Status.Detail}",
        OperationCanceledException => "cancelled",
        HttpRequestException or SocketException => $"cannot reach the scheduler at {schedulerUrl}: {e.Message}",
        IOException or UnauthorizedAccessException => e.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static bool IsCertificateFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is System.Security.Authentication.AuthenticationException)
                return true;
        }
        return false;
    }

    private static string? Innermost(Exception? e)
    {
        if (e is null)
            return null;
        while (e.InnerException is not null)
            e = e.InnerException;
        return e.Message;
    }
}
