using Build.Bazel.Remote.Execution.V2;
using DistBuild.BadInput.Tests.Support;
using DistBuild.Protocol.Digests;
using Grpc.Core;

namespace DistBuild.BadInput.Tests.Scheduler;

/// <summary>Many Execute streams at once: each gets its own answer, and the server keeps answering others.</summary>
[Collection(FarmCollection.Name)]
public sealed class FloodTests(Farm farm)
{
    private const int Streams = 500;

    [Fact]
    public async Task Five_hundred_concurrent_executes_of_missing_actions_each_get_failed_precondition_and_the_server_stays_responsive()
    {
        var blobsBefore = farm.BlobsOnDisk().Count;
        var actions = Enumerable.Range(0, Streams).Select(i => Digests.Compute(Guid.NewGuid().ToByteArray())).ToList();

        var results = await Task.WhenAll(actions.Select(async action =>
        {
            try
            {
                var (_, response) = await ExecuteCalls.ExecuteAsync(farm, new ExecuteRequest { ActionDigest = action }, TimeSpan.FromSeconds(60));
                var missing = DistBuild.Protocol.Execution.RemoteExecutor.MissingBlobs(response!.Status);
                return ((StatusCode)response.Status.Code, response.Status.Message + " " + string.Join(" ", missing.Select(d => d.Hash)));
            }
            catch (RpcException e)
            {
                return (e.StatusCode, e.Status.Detail);
            }
        }));

        // Each stream is answered: with the missing action, or (if a per-client stream limit applies) RESOURCE_EXHAUSTED saying so.
        for (var i = 0; i < Streams; i++)
        {
            var (code, message) = results[i];
            if (code == StatusCode.ResourceExhausted)
                Refusal.AssertNoInternals(message);
            else
                Refusal.AssertStatus(StatusCode.FailedPrecondition, code, message, actions[i].Hash);
        }
        Assert.Contains(results, r => r.Item1 == StatusCode.FailedPrecondition);
        Assert.Equal(blobsBefore, farm.BlobsOnDisk().Count);
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await farm.Capabilities.GetCapabilitiesAsync(new GetCapabilitiesRequest(), cancellationToken: quick.Token);
        await farm.AssertHealthyAsync([.. actions]);
    }
}
