using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Testing;
using Google.Protobuf;

namespace DistBuild.MicroBench;

/// <summary>
/// CAS upload and download through CasClient (ByteStream for the large blob, batches for the small ones) against
/// a plain file copy of the same bytes on the same disk: the copy is the baseline, so 1 / Ratio is the CAS's
/// throughput as a fraction of a local copy's. Every upload sends content the store does not hold yet
/// (fresh bytes are prepared, and hashed, before each iteration), since a CAS skips blobs it already has.
/// "file copy to a new file" (and "to new files") is the same copy into files that did not exist and are kept, as a
/// CAS keeps each blob it stores and a download makes a new file: on a VM whose free memory the hypervisor reclaims,
/// such a file's pages cost far more to write than the pages an overwritten file just gave back (bench/README.md,
/// round 14), and on ext4 without a journal each new inode costs more the more files were deleted in the last minutes
/// (round 17), so the two copies bound the ratio between them.
/// The "same machine" cases are the embedded default's path (<see cref="LocalCasDirectory"/>): the blob is copied
/// into and out of the scheduler's CAS directory and checked against its digest, then confirmed with FindMissing.
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[InvocationCount(1)]
public class CasTransferBenchmarks
{
    private const int LargeSize = 64 << 20;
    private const int SmallCount = 2_000;
    private const int SmallSize = 4 << 10;
    private const string Large = "1 x 64 MiB";
    private const string Small = "2,000 x 4 KiB";

    private SchedulerConnection _scheduler = null!;
    private CasClient _cas = null!;
    private string _directory = null!;
    private byte[] _largeBytes = null!;
    private string _largeSource = null!;
    private FileDownload _largeDownload = null!;
    private List<string> _smallSources = null!;
    private List<FileDownload> _smallDownloads = null!;
    private BlobSource _freshLarge = null!;
    private LocalCasDirectory _sameMachine = null!;
    private string _freshLargeFile = null!;
    private List<BlobSource> _freshSmall = null!;
    private List<BlobSource> _freshSmallFiles = null!;
    private long _serial;

    [GlobalSetup]
    public void Setup()
    {
        _scheduler = SchedulerConnection.Start();
        _cas = new CasClient(_scheduler.Channel, "");
        _directory = TemporaryDirectory.Create("microbench-cas");
        var random = new Random(42);

        _largeBytes = new byte[LargeSize];
        random.NextBytes(_largeBytes);
        _largeSource = Path.Combine(_directory, "large.bin");
        File.WriteAllBytes(_largeSource, _largeBytes);
        var large = BlobSource.FromBytes(ByteString.CopyFrom(_largeBytes));
        _largeDownload = new FileDownload(large.Digest, Path.Combine(_directory, "large-download.bin"), false);

        Directory.CreateDirectory(Path.Combine(_directory, "small"));
        Directory.CreateDirectory(Path.Combine(_directory, "small-copy"));
        var small = new List<BlobSource>();
        _smallSources = [];
        _smallDownloads = [];
        for (var i = 0; i < SmallCount; i++)
        {
            var bytes = new byte[SmallSize];
            random.NextBytes(bytes);
            var path = Path.Combine(_directory, "small", $"{i:D4}.bin");
            File.WriteAllBytes(path, bytes);
            _smallSources.Add(path);
            var blob = BlobSource.FromBytes(ByteString.CopyFrom(bytes));
            small.Add(blob);
            _smallDownloads.Add(new FileDownload(blob.Digest, Path.Combine(_directory, "small-download", $"{i:D4}.bin"), false));
        }
        _cas.UploadAsync([large, .. small], CancellationToken.None).GetAwaiter().GetResult();
        _sameMachine = new LocalCasDirectory(LocalCasDirectory.InDataDirectory(_scheduler.DataDirectory));
        _freshLargeFile = Path.Combine(_directory, "large-fresh.bin");
    }

    /// <summary>
    /// The files stay for TemporaryDirectory's sweep of old leftovers: deleting some 20,000 of them here made the next
    /// run's new files search through the freed inodes on ext4 without a journal (62 % of the small same-machine get's
    /// samples, bench/README.md round 17), and the small-blob figures measured the file system's state.
    /// </summary>
    [GlobalCleanup]
    public void Cleanup() => _scheduler.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup(Targets = [nameof(UploadLarge), nameof(PutLargeOnSameMachine)])]
    public void FreshLarge()
    {
        BitConverter.TryWriteBytes(_largeBytes, ++_serial);
        _freshLarge = BlobSource.FromBytes(ByteString.CopyFrom(_largeBytes));
        File.WriteAllBytes(_freshLargeFile, _largeBytes);
    }

    [IterationSetup(Targets = [nameof(UploadSmall), nameof(PutSmallOnSameMachine)])]
    public void FreshSmall()
    {
        var serial = ++_serial;
        var files = Path.Combine(_directory, "small-fresh");
        Directory.CreateDirectory(files);
        _freshSmall = [];
        _freshSmallFiles = [];
        for (var i = 0; i < SmallCount; i++)
        {
            var bytes = new byte[SmallSize];
            BitConverter.TryWriteBytes(bytes, serial);
            BitConverter.TryWriteBytes(bytes.AsSpan(8), i);
            var blob = BlobSource.FromBytes(ByteString.CopyFrom(bytes));
            var path = Path.Combine(files, $"{i:D4}.bin");
            File.WriteAllBytes(path, bytes);
            _freshSmall.Add(blob);
            _freshSmallFiles.Add(BlobSource.FromFile(path, blob.Digest));
        }
    }

    /// <summary>
    /// Small downloads go to a new folder each time, as the copy to new files does: writing over the last iteration's
    /// 2,000 files would free as many inodes, and on ext4 without a journal each new file after that searches
    /// through them (bench/README.md, round 17), which measured the file system, not the CAS.
    /// </summary>
    [IterationSetup(Targets = [nameof(DownloadSmall), nameof(GetSmallOnSameMachine)])]
    public void FreshSmallDownloads()
    {
        var directory = Path.Combine(_directory, $"small-download-{++_serial}");
        _smallDownloads = _smallDownloads.Select(d => d with { Path = Path.Combine(directory, Path.GetFileName(d.Path)) }).ToList();
    }

    [Benchmark(Baseline = true, Description = "file copy"), BenchmarkCategory(Large)]
    public void CopyLarge() => File.Copy(_largeSource, Path.Combine(_directory, "large-copy.bin"), overwrite: true);

    [Benchmark(Description = "file copy to a new file"), BenchmarkCategory(Large)]
    public void CopyLargeToNewFile() => File.Copy(_largeSource, Path.Combine(_directory, $"large-copy-{++_serial}.bin"));

    [Benchmark(Description = "CAS upload"), BenchmarkCategory(Large)]
    public Task UploadLarge() => _cas.UploadAsync([_freshLarge], CancellationToken.None);

    [Benchmark(Description = "CAS download"), BenchmarkCategory(Large)]
    public Task DownloadLarge() => _cas.DownloadFilesAsync([_largeDownload], CancellationToken.None);

    [Benchmark(Description = "same machine: put (copy, verify, FindMissing)"), BenchmarkCategory(Large)]
    public async Task PutLargeOnSameMachine()
    {
        var blob = BlobSource.FromFile(_freshLargeFile, _freshLarge.Digest);
        if (!_sameMachine.TryPut(blob, mayLink: false) || (await _cas.FindMissingAsync([blob.Digest], CancellationToken.None)).Count > 0)
            throw new InvalidOperationException("the blob did not reach the scheduler's CAS directory");
    }

    [Benchmark(Description = "same machine: get (copy, verify)"), BenchmarkCategory(Large)]
    public void GetLargeOnSameMachine()
    {
        if (!_sameMachine.TryCopy(_largeDownload.Digest, _largeDownload.Path, isExecutable: false))
            throw new InvalidOperationException("the blob is not in the scheduler's CAS directory");
    }

    [Benchmark(Baseline = true, Description = "file copy"), BenchmarkCategory(Small)]
    public void CopySmall()
    {
        foreach (var source in _smallSources)
            File.Copy(source, Path.Combine(_directory, "small-copy", Path.GetFileName(source)), overwrite: true);
    }

    [Benchmark(Description = "file copy to new files"), BenchmarkCategory(Small)]
    public void CopySmallToNewFiles()
    {
        var directory = Path.Combine(_directory, $"small-copy-{++_serial}");
        Directory.CreateDirectory(directory);
        foreach (var source in _smallSources)
            File.Copy(source, Path.Combine(directory, Path.GetFileName(source)));
    }

    [Benchmark(Description = "CAS upload"), BenchmarkCategory(Small)]
    public Task UploadSmall() => _cas.UploadAsync(_freshSmall, CancellationToken.None);

    [Benchmark(Description = "CAS download"), BenchmarkCategory(Small)]
    public Task DownloadSmall() => _cas.DownloadFilesAsync(_smallDownloads, CancellationToken.None);

    [Benchmark(Description = "same machine: put (copy, verify, FindMissing)"), BenchmarkCategory(Small)]
    public async Task PutSmallOnSameMachine()
    {
        foreach (var blob in _freshSmallFiles)
            _sameMachine.TryPut(blob, mayLink: false);
        if ((await _cas.FindMissingAsync(_freshSmallFiles.Select(b => b.Digest), CancellationToken.None)).Count > 0)
            throw new InvalidOperationException("blobs did not reach the scheduler's CAS directory");
    }

    [Benchmark(Description = "same machine: get (copy, verify)"), BenchmarkCategory(Small)]
    public void GetSmallOnSameMachine()
    {
        foreach (var file in _smallDownloads)
        {
            if (!_sameMachine.TryCopy(file.Digest, file.Path, isExecutable: false))
                throw new InvalidOperationException("a blob is not in the scheduler's CAS directory");
        }
    }
}
