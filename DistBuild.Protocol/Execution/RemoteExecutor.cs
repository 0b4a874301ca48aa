using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Workers;
using Google.LongRunning;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Status = Google.Rpc.Status;

namespace DistBuild.Protocol.Execution;

/// <summary>
/// Runs one action through a REAPI Execution service the way the standard asks a client to: follows the
/// operation stream, reattaches with WaitExecution when the stream breaks, executes again when the
/// operation was lost (NOT_FOUND), and re-uploads blobs the server reports MISSING.
/// </summary>
public sealed class RemoteExecutor
{
    private const int MaxMissingBlobRounds = 3;
    private readonly Build.Bazel.Remote.Execution.V2.Execution.ExecutionClient _execution;
    private readonly TimeSpan _reconnectWindow;

    public RemoteExecutor(GrpcChannel channel, TimeSpan? reconnectWindow = null)
    {
        _execution = new Build.Bazel.Remote.Execution.V2.Execution.ExecutionClient(channel);
        _reconnectWindow = reconnectWindow ?? TimeSpan.FromSeconds(60);
    }

    /// <summary>
    /// Executes until the operation completes. <paramref name="uploadMissing"/> is called with the
    /// missing blob names (`blobs/HASH/SIZE`) when the server lacks inputs; <paramref name="onStage"/>
    /// sees every stage change with the operation name; <paramref name="onEarlyOutputs"/> is awaited with the outputs
    /// DistBuild's scheduler reports final while the action still runs (<see cref="EarlyOutputs"/>; every update
    /// repeats those so far).
    /// </summary>
    public async Task<ExecuteResponse> ExecuteAsync(
        ExecuteRequest request,
        Func<IReadOnlyList<Digest>, CancellationToken, Task> uploadMissing,
        Action<string, ExecutionStage.Types.Value>? onStage,
        CancellationToken cancellationToken,
        Func<IReadOnlyList<OutputFile>, CancellationToken, Task>? onEarlyOutputs = null)
    {
        for (var round = 0; ; round++)
        {
            var response = await ExecuteOnceAsync(request, onStage, onEarlyOutputs, cancellationToken);
            var missing = MissingBlobs(response.Status);
            if (missing.Count == 0 || round == MaxMissingBlobRounds)
                return response;
            await uploadMissing(missing, cancellationToken);
        }
    }

    private async Task<ExecuteResponse> ExecuteOnceAsync(
        ExecuteRequest request,
        Action<string, ExecutionStage.Types.Value>? onStage,
        Func<IReadOnlyList<OutputFile>, CancellationToken, Task>? onEarlyOutputs,
        CancellationToken cancellationToken)
    {
        string? operationName = null;
        var deadline = DateTime.UtcNow + _reconnectWindow;
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                using var call = operationName is null
                    ? _execution.Execute(request, cancellationToken: cancellationToken)
                    : _execution.WaitExecution(new WaitExecutionRequest { Name = operationName }, cancellationToken: cancellationToken);
                await foreach (var operation in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    operationName = operation.Name;
                    // The server answered: the reconnect window counts from the last sign of life, not from the
                    // start, so a stream that breaks after a long compile may still reattach.
                    deadline = DateTime.UtcNow + _reconnectWindow;
                    delay = TimeSpan.FromMilliseconds(200);
                    if (operation.Metadata?.TryUnpack<ExecuteOperationMetadata>(out var metadata) == true)
                    {
                        onStage?.Invoke(operation.Name, metadata.Stage);
                        if (!operation.Done && onEarlyOutputs is not null && EarlyOutputsIn(metadata) is { Count: > 0 } early)
                            await onEarlyOutputs(early, cancellationToken);
                    }
                    if (!operation.Done)
                        continue;
                    return FinalResponse(operation);
                }
                // The stream ended without a done operation: the server went away politely. Reattach.
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "operation stream ended before the operation was done"));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition && MissingBlobs(e).Count > 0)
            {
                return new ExecuteResponse { Status = ToStatus(e) };
            }
            catch (RpcException e) when (operationName is not null && e.StatusCode == StatusCode.NotFound)
            {
                // The server lost the operation (a restart): run the action again.
                operationName = null;
            }
            catch (RpcException e) when (IsTransient(e.StatusCode) && !cancellationToken.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
        }
    }

    /// <summary>The early outputs an operation's metadata carries; none from other servers, or when they do not parse.</summary>
    public static IReadOnlyList<OutputFile> EarlyOutputsIn(ExecuteOperationMetadata metadata)
    {
        var packed = metadata.PartialExecutionMetadata?.AuxiliaryMetadata.FirstOrDefault(a => a.Is(EarlyOutputs.Descriptor));
        try
        {
            return packed?.Unpack<EarlyOutputs>().OutputFiles ?? (IReadOnlyList<OutputFile>)[];
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return [];
        }
    }

    private static ExecuteResponse FinalResponse(Operation operation)
    {
        if (operation.Error is { } error)
            return new ExecuteResponse { Status = error };
        if (operation.Response?.TryUnpack<ExecuteResponse>(out var response) == true)
            return response;
        return new ExecuteResponse { Status = new Status { Code = (int)StatusCode.Internal, Message = $"operation {operation.Name} finished without an ExecuteResponse" } };
    }

    private static bool IsTransient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Aborted or StatusCode.Cancelled;

    /// <summary>The digests named by MISSING violations of a FAILED_PRECONDITION status.</summary>
    public static IReadOnlyList<Digest> MissingBlobs(Status? status)
    {
        if (status is null || status.Code != (int)StatusCode.FailedPrecondition)
            return [];
        var missing = new List<Digest>();
        foreach (var detail in status.Details)
        {
            if (!detail.TryUnpack<PreconditionFailure>(out var failure))
                continue;
            foreach (var violation in failure.Violations.Where(v => v.Type == "MISSING"))
            {
                var subject = violation.Subject.StartsWith("blobs/", StringComparison.Ordinal) ? violation.Subject["blobs/".Length..] : violation.Subject;
                if (Digests.Digests.TryParse(subject, out var digest, out _))
                    missing.Add(digest);
            }
        }
        return missing;
    }

    private static IReadOnlyList<Digest> MissingBlobs(RpcException e) => MissingBlobs(ToStatus(e));

    /// <summary>The rich google.rpc.Status a server put in the trailers, or one made from the plain status.</summary>
    public static Status ToStatus(RpcException e)
    {
        var details = e.Trailers.GetValueBytes("grpc-status-details-bin");
        if (details is not null)
        {
            try
            {
                return Status.Parser.ParseFrom(details);
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
                // Fall through to the plain status.
            }
        }
        return new Status { Code = (int)e.StatusCode, Message = e.Status.Detail };
    }
}
