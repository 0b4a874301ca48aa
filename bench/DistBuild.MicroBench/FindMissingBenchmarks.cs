using BenchmarkDotNet.Attributes;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;

namespace DistBuild.MicroBench;

/// <summary>
/// FindMissingBlobs of 10,000 digests, half of them in the store: the question a client asks before every
/// upload of a large input tree. One request (CasClient sends up to 10,000 digests per call).
/// </summary>
[MemoryDiagnoser]
public class FindMissingBenchmarks
{
    private const int Count = 10_000;
    private SchedulerConnection _scheduler = null!;
    private CasClient _cas = null!;
    private List<Digest> _digests = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scheduler = SchedulerConnection.Start();
        _cas = new CasClient(_scheduler.Channel, "");
        var present = Enumerable.Range(0, Count / 2).Select(i => BlobSource.FromBytes(Google.Protobuf.ByteString.CopyFromUtf8($"present blob {i}"))).ToList();
        _cas.UploadAsync(present, CancellationToken.None).GetAwaiter().GetResult();
        var absent = Enumerable.Range(0, Count / 2).Select(i => Digests.Compute(System.Text.Encoding.UTF8.GetBytes($"absent blob {i}")));
        _digests = present.Select(b => b.Digest).Concat(absent).ToList();
    }

    [GlobalCleanup]
    public void Cleanup() => _scheduler.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "FindMissingBlobs, 10,000 digests (half present)")]
    public async Task<int> FindMissing()
    {
        var missing = await _cas.FindMissingAsync(_digests, CancellationToken.None);
        if (missing.Count != Count / 2)
            throw new InvalidOperationException($"expected {Count / 2} missing, the store said {missing.Count}");
        return missing.Count;
    }
}
