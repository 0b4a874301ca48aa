using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DistBuild.Scheduler.Hosting;

/// <summary>
/// Counts client calls for idle shutdown. Worker registry calls do not count: an idle embedded scheduler must
/// stop even though its worker keeps heartbeating.
/// </summary>
public sealed class ActivityInterceptor(ActivityTracker tracker) : Interceptor
{
    private const string WorkerRegistryPrefix = "/distbuild.v1.WorkerRegistry/";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        using var _ = Track(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var _ = Track(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var _ = Track(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var _ = Track(context);
        await continuation(requestStream, responseStream, context);
    }

    private OpenCall? Track(ServerCallContext context)
    {
        if (context.Method.StartsWith(WorkerRegistryPrefix, StringComparison.Ordinal))
            return null;
        tracker.CallStarted();
        return new OpenCall(tracker);
    }

    private sealed class OpenCall(ActivityTracker tracker) : IDisposable
    {
        public void Dispose() => tracker.CallEnded();
    }
}
