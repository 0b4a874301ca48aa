using Build.Bazel.Remote.Execution.V2;
using DistBuild.Faults.Tests.Support;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Digests;
using DistBuild.Testing;
using Grpc.Core;
using Xunit.Abstractions;

namespace DistBuild.Faults.Tests;

/// <summary>A CAS blob damaged on the scheduler's disk is caught when read, never served, and uploaded again.</summary>
public class CorruptBlobTests(ITestOutputHelper output)
{
    private readonly string _directory = TemporaryDirectory.Create("faults-corrupt");

    [Fact]
    public async Task Blob_corrupted_on_disk_is_never_served_is_reported_missing_and_the_client_uploads_it_again()
    {
        var source = Path.Combine(_directory, "hello.rs");
        File.WriteAllText(source, "pub fn hello() -> u32 { 42 }\n");
        var digest = Digests.Compute(File.ReadAllBytes(source));
        var data = TemporaryDirectory.Create("scheduler-corrupt");
        await using var scheduler = await TestHosts.StartSchedulerAsync(data, Farm.FastLiveness);
        var log = new RecordingLog();
        await using var coordinator = Farm.Coordinator(scheduler.Url, log);
        await coordinator.StartAsync(CancellationToken.None);

        // The first worker compiles it, so the source blob is in the CAS.
        await using (var first = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}"))
        {
            var built = await Farm.CompileAsync(coordinator, _directory, "hello", "hello.rs").WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(built.ExitCode == 0, built.ToString());
        }
        var stored = System.IO.Directory.EnumerateFiles(data, digest.Hash, SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(stored);
        bytes[0] ^= 0xff;
        File.WriteAllBytes(stored, bytes);

        // A new worker (its blob cache empty) must fetch the damaged source for a new action (another crate type).
        await using var second = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-2", $"--Worker:Rustc={RustTools.Rustc}");
        var rebuilt = await Farm.CompileAsync(coordinator, _directory, "hello", "hello.rs", crateType: "rlib").WaitAsync(TimeSpan.FromMinutes(2));
        output.WriteLine($"compile: {rebuilt}\ncoordinator:\n{log}\nscheduler:\n{scheduler.Output}\nworker:\n{second.Output}");

        Assert.True(rebuilt.ExitCode == 0, rebuilt.ToString());
        Assert.Contains($"Blob {Digests.Format(digest)} no longer matches its digest on disk", scheduler.Output);
        Assert.Contains("MISSING", second.Output + scheduler.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(stored));

    }

    [Fact]
    public async Task An_output_of_a_cached_result_damaged_on_disk_makes_the_compile_run_again_instead_of_failing()
    {
        var source = Path.Combine(_directory, "hello.rs");
        File.WriteAllText(source, "pub fn hello() -> u32 { 42 }\n");
        var rlib = Path.Combine(_directory, "libhello.rlib");
        var data = TemporaryDirectory.Create("scheduler-damaged-output");
        await using var scheduler = await TestHosts.StartSchedulerAsync(data);
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "worker-1", $"--Worker:Rustc={RustTools.Rustc}");
        var log = new RecordingLog();
        await using var coordinator = Farm.Coordinator(scheduler.Url, log);
        await coordinator.StartAsync(CancellationToken.None);
        var built = await Farm.CompileAsync(coordinator, _directory, "hello", "hello.rs").WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(built.ExitCode == 0, built.ToString());
        var original = File.ReadAllBytes(rlib);
        var stored = System.IO.Directory.EnumerateFiles(data, Digests.ComputeFile(rlib).Hash, SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(stored);
        bytes[^1] ^= 0xff;
        File.WriteAllBytes(stored, bytes);
        File.Delete(rlib);

        // The action cache still has the result, but the rlib it names is damaged: the scheduler drops it when asked
        // for it, and the compile runs again rather than failing the build.
        var rebuilt = await Farm.CompileAsync(coordinator, _directory, "hello", "hello.rs").WaitAsync(TimeSpan.FromMinutes(2));
        output.WriteLine($"compile: {rebuilt}\ncoordinator:\n{log}\nscheduler:\n{scheduler.Output}");

        Assert.True(rebuilt.ExitCode == 0, rebuilt.ToString());
        Assert.Equal(["remote", "remote"], coordinator.Invocations.Select(i => i.Kind));
        Assert.Equal(original, File.ReadAllBytes(rlib));
        Assert.Equal(original, File.ReadAllBytes(stored));
    }

    [Fact]
    public async Task Truncated_or_damaged_blob_is_reported_missing_and_never_served()
    {
        var data = TemporaryDirectory.Create("scheduler-damaged");
        await using var scheduler = await TestHosts.StartSchedulerAsync(data);
        using var channel = GrpcChannels.Create(scheduler.Url);
        var cas = new ContentAddressableStorage.ContentAddressableStorageClient(channel);
        var truncated = Google.Protobuf.ByteString.CopyFromUtf8("a blob that loses its tail on disk");
        var damaged = Google.Protobuf.ByteString.CopyFromUtf8("a blob whose first byte flips on disk");
        var (truncatedDigest, damagedDigest) = (Digests.Compute(truncated.Span), Digests.Compute(damaged.Span));
        await cas.BatchUpdateBlobsAsync(new BatchUpdateBlobsRequest
        {
            Requests =
            {
                new BatchUpdateBlobsRequest.Types.Request { Digest = truncatedDigest, Data = truncated },
                new BatchUpdateBlobsRequest.Types.Request { Digest = damagedDigest, Data = damaged },
            },
        });
        string Stored(Digest digest) => System.IO.Directory.EnumerateFiles(data, digest.Hash, SearchOption.AllDirectories).Single();

        File.WriteAllBytes(Stored(truncatedDigest), truncated.Span[..10].ToArray());
        var bytes = damaged.ToByteArray();
        bytes[0] ^= 0xff;
        File.WriteAllBytes(Stored(damagedDigest), bytes);

        // A size that no longer matches shows at once; changed content shows on the first read, which is refused.
        var missing = await cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { truncatedDigest, damagedDigest } });
        Assert.Equal(new[] { truncatedDigest }, missing.MissingBlobDigests);
        var read = await cas.BatchReadBlobsAsync(new BatchReadBlobsRequest { Digests = { truncatedDigest, damagedDigest } });
        Assert.All(read.Responses, r => Assert.Equal((int)StatusCode.NotFound, r.Status.Code));
        Assert.All(read.Responses, r => Assert.True(r.Data.IsEmpty));
        missing = await cas.FindMissingBlobsAsync(new FindMissingBlobsRequest { BlobDigests = { truncatedDigest, damagedDigest } });
        Assert.Equal(new[] { truncatedDigest, damagedDigest }, missing.MissingBlobDigests);
    }

    [Fact]
    public async Task Large_blob_damaged_on_disk_fails_its_streamed_read_as_NOT_FOUND_and_is_then_missing()
    {
        var data = TemporaryDirectory.Create("scheduler-damaged-large");
        await using var scheduler = await TestHosts.StartSchedulerAsync(data);
        using var channel = GrpcChannels.Create(scheduler.Url);
        var client = new CasClient(channel, "");
        var bytes = new byte[(3 << 20) + 17];
        new Random(3).NextBytes(bytes);
        var blob = BlobSource.FromBytes(Google.Protobuf.ByteString.CopyFrom(bytes));
        await client.UploadAsync([blob], CancellationToken.None);
        // Same size, one byte changed past the first chunk: only hashing the whole content finds it.
        var stored = System.IO.Directory.EnumerateFiles(data, blob.Digest.Hash, SearchOption.AllDirectories).Single();
        bytes[2 << 20] ^= 0xff;
        File.WriteAllBytes(stored, bytes);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ReadAsync(blob.Digest, CancellationToken.None));
        var download = Path.Combine(_directory, "large.bin");
        var downloadError = await Assert.ThrowsAsync<RpcException>(() => client.DownloadFilesAsync([new FileDownload(blob.Digest, download, false)], CancellationToken.None));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("no longer matched its digest", error.Status.Detail);
        Assert.Equal(StatusCode.NotFound, downloadError.StatusCode);
        Assert.False(File.Exists(stored));
        Assert.False(File.Exists(download));
        Assert.Equal([blob.Digest], await client.FindMissingAsync([blob.Digest], CancellationToken.None));
    }
}
