using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace DistBuild.Scheduler.Security;

/// <summary>
/// Caps the Execute and WaitExecution streams one client holds open (<see cref="SchedulerOptions.MaxOperationsPerClient"/>),
/// so a runaway or hostile client cannot pin the scheduler's memory and threads with streams. A client is its peer
/// address: every build on one machine shares the budget, whatever token it presents.
/// </summary>
public sealed class OperationLimitInterceptor(IOptions<SchedulerOptions> options, ILogger<OperationLimitInterceptor> logger) : Interceptor
{
    private const string ExecutionPrefix = "/build.bazel.remote.execution.v2.Execution/";
    private readonly int _limit = options.Value.MaxOperationsPerClient;
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!context.Method.StartsWith(ExecutionPrefix, StringComparison.Ordinal))
        {
            await continuation(request, responseStream, context);
            return;
        }
        var client = ClientOf(context);
        Enter(client);
        try
        {
            await continuation(request, responseStream, context);
        }
        finally
        {
            Leave(client);
        }
    }

    /// <summary>Streams the client holds open now.</summary>
    public int OpenFor(string client)
    {
        lock (_open)
            return _open.GetValueOrDefault(client);
    }

    private void Enter(string client)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(client);
            if (open >= _limit)
            {
                logger.LogWarning("Client {Client} holds {Open} operation streams; refusing another (Scheduler:MaxOperationsPerClient)", client, open);
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"this client already follows {open} operations, the scheduler's limit per client (Scheduler:MaxOperationsPerClient = {_limit}); wait for some to finish"));
            }
            _open[client] = open + 1;
        }
    }

    private void Leave(string client)
    {
        lock (_open)
        {
            if (--_open[client] == 0)
                _open.Remove(client);
        }
    }

    private static string ClientOf(ServerCallContext context) =>
        context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? context.Peer;
}
