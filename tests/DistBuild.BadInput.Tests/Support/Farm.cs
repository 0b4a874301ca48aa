using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Workers;
using DistBuild.Testing;
using Google.Protobuf;
using Grpc.Net.Client;

namespace DistBuild.BadInput.Tests.Support;

/// <summary>
/// One real scheduler (with a small <c>Scheduler:MaxBlobBytes</c>) and one real worker on loopback, shared by the
/// whole suite. It remembers every blob a test stored on purpose, so a test can check that the CAS on disk holds
/// nothing else after the server refused a write.
/// </summary>
public sealed class Farm : IAsyncLifetime
{
    /// <summary>The scheduler's <c>Scheduler:MaxBlobBytes</c>: small, so "too large" is cheap to send.</summary>
    public const long MaxBlobBytes = 64 * 1024;

    private readonly HashSet<string> _stored = new(StringComparer.Ordinal);

    public HostProcess Scheduler { get; private set; } = null!;
    public HostProcess Worker { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;
    public GrpcChannel WorkerChannel { get; private set; } = null!;
    public string DataDirectory { get; } = TemporaryDirectory.Create("bad-input-scheduler");
    public string CasDirectory => Path.Combine(DataDirectory, "cas");

    public async Task InitializeAsync()
    {
        Scheduler = await TestHosts.StartSchedulerAsync(DataDirectory, $"--Scheduler:MaxBlobBytes={MaxBlobBytes}");
        Channel = GrpcChannels.Create(Scheduler.Url);
        Worker = await TestHosts.StartWorkerAsync(Scheduler.Url, "bad-input-worker", "--Worker:Slots=2");
        WorkerChannel = GrpcChannels.Create(Worker.Url);
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        WorkerChannel?.Dispose();
        if (Worker is not null)
            await Worker.DisposeAsync();
        if (Scheduler is not null)
            await Scheduler.DisposeAsync();
    }

    public ContentAddressableStorage.ContentAddressableStorageClient Cas => new(Channel);
    public Google.ByteStream.ByteStream.ByteStreamClient ByteStream => new(Channel);
    public ActionCache.ActionCacheClient ActionCache => new(Channel);
    public Execution.ExecutionClient Execution => new(Channel);
    public Capabilities.CapabilitiesClient Capabilities => new(Channel);
    public WorkerRegistry.WorkerRegistryClient Registry => new(Channel);
    public DistBuild.Protocol.Admin.Admin.AdminClient Admin => new(Channel);
    public WorkerService.WorkerServiceClient WorkerService => new(WorkerChannel);

    /// <summary>Stores a blob on purpose (through BatchUpdateBlobs) and remembers it as allowed in the CAS.</summary>
    public async Task<Digest> StoreAsync(ByteString data)
    {
        var digest = Digests.Compute(data.Span);
        var response = await Cas.BatchUpdateBlobsAsync(new BatchUpdateBlobsRequest { Requests = { new BatchUpdateBlobsRequest.Types.Request { Digest = digest, Data = data } } }, deadline: Deadlines.Short());
        Assert.Equal(0, response.Responses.Single().Status.Code);
        lock (_stored)
            _stored.Add(digest.Hash);
        return digest;
    }

    public Task<Digest> StoreAsync(IMessage message) => StoreAsync(message.ToByteString());

    public Task<Digest> StoreAsync(string text) => StoreAsync(ByteString.CopyFromUtf8(text));

    /// <summary>Remembers a blob some other path (a worker's upload, a test's own ByteStream write) stored on purpose.</summary>
    public void Allow(Digest digest)
    {
        lock (_stored)
            _stored.Add(digest.Hash);
    }

    /// <summary>The hashes of the blobs the CAS holds on disk.</summary>
    public IReadOnlyList<string> BlobsOnDisk() =>
        System.IO.Directory.Exists(CasDirectory)
            ? System.IO.Directory.EnumerateDirectories(CasDirectory)
                .Where(d => Path.GetFileName(d).Length == 2)
                .SelectMany(System.IO.Directory.EnumerateFiles)
                .Select(Path.GetFileName)
                .Select(n => n!)
                .ToList()
            : [];

    /// <summary>
    /// The scheduler still answers (GetCapabilities), has not exited, and its CAS holds only blobs stored on purpose
    /// or written by the worker (outputs, stdout, stderr, which are uploaded only for jobs that ran).
    /// </summary>
    public async Task AssertHealthyAsync(params Digest[] refused)
    {
        Assert.False(Scheduler.HasExited, "the scheduler exited:\n" + Scheduler.Output);
        Assert.False(Worker.HasExited, "the worker exited:\n" + Worker.Output);
        var capabilities = await Capabilities.GetCapabilitiesAsync(new GetCapabilitiesRequest(), deadline: Deadlines.Short());
        Assert.True(capabilities.ExecutionCapabilities.ExecEnabled);
        var onDisk = BlobsOnDisk();
        HashSet<string> allowed;
        lock (_stored)
            allowed = [.. _stored];
        var unexpected = onDisk.Where(h => !allowed.Contains(h)).ToList();
        Assert.True(unexpected.Count == 0, $"the CAS holds blobs nobody stored on purpose: {string.Join(", ", unexpected)}");
        foreach (var digest in refused)
            Assert.DoesNotContain(digest.Hash, onDisk);
        Assert.DoesNotContain("Unhandled exception", Scheduler.Output);
    }
}

[CollectionDefinition(Name)]
public sealed class FarmCollection : ICollectionFixture<Farm>
{
    /// <summary>One collection: the tests share one scheduler and worker and run one after another, so the CAS check is exact.</summary>
    public const string Name = "bad input against one farm";
}
