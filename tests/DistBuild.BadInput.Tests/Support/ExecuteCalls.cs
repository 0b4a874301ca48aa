using Build.Bazel.Remote.Execution.V2;
using Google.LongRunning;

namespace DistBuild.BadInput.Tests.Support;

/// <summary>Execute as a REAPI client calls it: the stream's last operation, unpacked.</summary>
public static class ExecuteCalls
{
    /// <summary>Follows the Execute stream to its end; returns the final operation and its ExecuteResponse.</summary>
    public static async Task<(Operation Operation, ExecuteResponse? Response)> ExecuteAsync(Farm farm, ExecuteRequest request, TimeSpan? timeout = null)
    {
        using var call = farm.Execution.Execute(request, deadline: DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15)));
        Operation? last = null;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            last = call.ResponseStream.Current;
            if (last.Done)
                break;
        }
        Assert.NotNull(last);
        Assert.True(last.Done, "the Execute stream ended before the operation was done");
        return (last, last.Response?.Unpack<ExecuteResponse>());
    }
}
