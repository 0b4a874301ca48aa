using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Digests;
using DistBuild.Scheduler.Cas;
using DistBuild.Scheduler.Tests.Support;
using DistBuild.Testing;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace DistBuild.Scheduler.Tests.Cas;

public sealed class ContentStoreTests
{
    [Fact]
    public void Written_blob_reads_back_and_is_not_missing()
    {
        var parts = new SchedulerParts();
        var digest = parts.Put("fn main() {}");

        Assert.Equal("fn main() {}", System.Text.Encoding.UTF8.GetString(parts.Cas.TryRead(digest)!));
        Assert.Empty(parts.Cas.FindMissing([digest]));
    }

    [Fact]
    public void Blob_whose_content_does_not_match_its_digest_is_refused_and_nothing_is_stored()
    {
        var parts = new SchedulerParts();
        var claimed = Digests.Compute("the real content"u8);

        var error = Assert.Throws<BlobRejectedException>(() => parts.Cas.Write(claimed, "other content!!!"u8));

        Assert.Contains("does not match its digest", error.Message);
        Assert.Equal([claimed], parts.Cas.FindMissing([claimed]));
        Assert.Equal(0, parts.Cas.Count);
        Assert.Empty(System.IO.Directory.EnumerateFiles(Path.Combine(parts.Options.DataDirectory, "cas"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Empty_blob_always_exists()
    {
        var parts = new SchedulerParts();

        Assert.Empty(parts.Cas.FindMissing([Digests.Empty]));
        Assert.Empty(parts.Cas.TryRead(Digests.Empty)!);
    }

    [Fact]
    public void Least_recently_used_blob_is_evicted_when_the_store_is_over_its_cap()
    {
        var parts = new SchedulerParts(new SchedulerOptions { CasMaxBytes = 250 });
        var a = parts.Put(ByteString.CopyFrom(new byte[100]));
        var b = parts.Put(ByteString.CopyFrom(Enumerable.Repeat((byte)1, 100).ToArray()));
        Assert.True(parts.Cas.Contains(a)); // a is now more recent than b

        var c = parts.Put(ByteString.CopyFrom(Enumerable.Repeat((byte)2, 100).ToArray()));

        Assert.Equal([b], parts.Cas.FindMissing([a, b, c]));
        Assert.Equal(200, parts.Cas.TotalBytes);
    }

    [Fact]
    public void Blob_corrupted_on_disk_is_not_served_and_is_deleted()
    {
        var parts = new SchedulerParts();
        var digest = parts.Put("pub fn answer() -> u32 { 42 }");
        var path = Path.Combine(parts.Options.DataDirectory, "cas", digest.Hash[..2], digest.Hash);
        File.WriteAllText(path, "pub fn answer() -> u32 { 41 }");

        Assert.Null(parts.Cas.TryRead(digest));
        Assert.Null(parts.Cas.OpenRead(digest));
        Assert.False(File.Exists(path));
        Assert.Equal([digest], parts.Cas.FindMissing([digest]));
    }

    [Fact]
    public async Task A_hashing_read_returns_the_whole_blob_and_matches_and_one_of_a_corrupted_blob_deletes_it()
    {
        var parts = new SchedulerParts();
        var intact = parts.Put("pub fn intact() {}");
        var damaged = parts.Put("pub fn answer() -> u32 { 42 }");
        var damagedPath = Path.Combine(parts.Options.DataDirectory, "cas", damaged.Hash[..2], damaged.Hash);
        File.WriteAllText(damagedPath, "pub fn answer() -> u32 { 41 }");

        Assert.Equal(("pub fn intact() {}", true), await ReadAllAsync(parts.Cas.OpenHashingRead(intact)!));
        Assert.Equal(("pub fn answer() -> u32 { 41 }", false), await ReadAllAsync(parts.Cas.OpenHashingRead(damaged)!));
        Assert.False(File.Exists(damagedPath));
        Assert.Equal([damaged], parts.Cas.FindMissing([intact, damaged]));
        Assert.Null(parts.Cas.OpenHashingRead(damaged));

        static async Task<(string Text, bool Matches)> ReadAllAsync(BlobReader reader)
        {
            await using var _ = reader;
            var buffer = new byte[4];
            var text = new System.Text.StringBuilder();
            int read;
            while ((read = await reader.ReadAsync(buffer, CancellationToken.None)) > 0)
                text.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, read));
            return (text.ToString(), reader.Matches());
        }
    }

    [Fact]
    public void Blobs_survive_a_restart_of_the_store()
    {
        var parts = new SchedulerParts();
        var digest = parts.Put("kept across restarts");

        var reopened = new ContentStore(Path.Combine(parts.Options.DataDirectory, "cas"), parts.Options.CasMaxBytes, parts.Options.MaxBlobBytes, NullLogger<ContentStore>.Instance);

        Assert.Equal(1, reopened.Count);
        Assert.NotNull(reopened.TryRead(digest));
    }

    [Fact]
    public void Using_a_blob_long_after_it_was_stored_keeps_the_content_stamp_its_worker_gave_it()
    {
        var parts = new SchedulerParts();
        var digest = parts.Put("pub fn stamped() {}");
        var path = Path.Combine(parts.Options.DataDirectory, "cas", digest.Hash[..2], digest.Hash);
        ContentStamp.HashAndStamp(path);

        // Past the touch interval, a use records the blob's recency on its file.
        parts.Time.Advance(TimeSpan.FromHours(1));
        Assert.True(parts.Cas.Contains(digest));

        Assert.Equal(parts.Time.GetUtcNow().UtcDateTime, File.GetLastAccessTimeUtc(path));
        Assert.True(ContentStamp.Proves(path, digest));
    }

    [Fact]
    public void Recency_survives_a_restart_so_the_blob_used_last_is_evicted_last()
    {
        var directory = Path.Combine(TemporaryDirectory.Create("cas-recency"), "cas");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new ContentStore(directory, 250, 250, NullLogger<ContentStore>.Instance, time);
        var a = Digests.Compute(new byte[100]);
        store.Write(a, new byte[100]);
        var bytes = Enumerable.Repeat((byte)1, 100).ToArray();
        var b = Digests.Compute(bytes);
        store.Write(b, bytes);
        time.Advance(TimeSpan.FromHours(1));
        Assert.True(store.Contains(a));

        var reopened = new ContentStore(directory, 250, 250, NullLogger<ContentStore>.Instance, time);
        var more = Enumerable.Repeat((byte)2, 100).ToArray();
        var c = Digests.Compute(more);
        reopened.Write(c, more);

        Assert.Equal([b], reopened.FindMissing([a, b, c]));
    }

    [Fact]
    public void Blob_larger_than_the_limit_is_refused()
    {
        var parts = new SchedulerParts(new SchedulerOptions { MaxBlobBytes = 10 });
        var data = new byte[11];

        var error = Assert.Throws<BlobRejectedException>(() => parts.Cas.Write(Digests.Compute(data), data));

        Assert.Contains("MaxBlobBytes", error.Message);
    }

    [Fact]
    public void Streamed_upload_is_stored_only_when_complete_and_correct()
    {
        var parts = new SchedulerParts();
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        var digest = Digests.Compute(data);

        using (var upload = parts.Cas.BeginUpload(digest))
        {
            upload.Append(data.AsSpan(0, 100_000));
            Assert.False(parts.Cas.Contains(digest));
            upload.Append(data.AsSpan(100_000));
            upload.Commit();
        }

        Assert.Equal(data, parts.Cas.TryRead(digest));
    }

    [Fact]
    public void Blob_put_into_the_directory_by_a_same_machine_writer_is_found_served_and_counted()
    {
        var parts = new SchedulerParts();
        var data = System.Text.Encoding.UTF8.GetBytes("an output a worker on this machine put into the CAS directory");
        var digest = Digests.Compute(data);
        var source = Path.Combine(TemporaryDirectory.Create("same-machine-writer"), "liboutput.rlib");
        File.WriteAllBytes(source, data);

        Assert.True(new LocalCasDirectory(Path.Combine(parts.Options.DataDirectory, "cas")).TryPut(BlobSource.FromFile(source, digest), mayLink: true));

        Assert.Empty(parts.Cas.FindMissing([digest]));
        Assert.Equal(data, parts.Cas.TryRead(digest));
        Assert.Equal(1, parts.Cas.Count);
        Assert.Equal(data.Length, parts.Cas.TotalBytes);
    }

    [Fact]
    public void Blob_put_into_the_directory_with_other_content_than_its_digest_is_deleted_when_read()
    {
        var parts = new SchedulerParts();
        var digest = Digests.Compute("what the writer claimed"u8);
        var path = Path.Combine(parts.Options.DataDirectory, "cas", digest.Hash[..2], digest.Hash);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "what it wrote instead!!");

        Assert.Null(parts.Cas.TryRead(digest));
        Assert.False(File.Exists(path));
        Assert.Equal([digest], parts.Cas.FindMissing([digest]));
    }

    [Fact]
    public void A_digest_that_is_not_a_hash_is_missing_without_looking_outside_the_store()
    {
        var parts = new SchedulerParts();
        var outside = Path.Combine(parts.Options.DataDirectory, "secret");
        File.WriteAllText(outside, "12345");
        var traversal = new Build.Bazel.Remote.Execution.V2.Digest { Hash = "../secret", SizeBytes = 5 };

        Assert.Equal([traversal], parts.Cas.FindMissing([traversal]));
        Assert.Equal(0, parts.Cas.Count);
    }

    [Fact]
    public void Half_put_blobs_left_by_a_stopped_writer_are_deleted_when_the_store_opens()
    {
        var parts = new SchedulerParts();
        var digest = parts.Put("a stored blob");
        var shard = Path.Combine(parts.Options.DataDirectory, "cas", digest.Hash[..2]);
        var leftover = Path.Combine(shard, digest.Hash + LocalCasDirectory.TemporaryMarker + "0badf00d");
        File.WriteAllText(leftover, "half");

        var reopened = new ContentStore(Path.Combine(parts.Options.DataDirectory, "cas"), parts.Options.CasMaxBytes, parts.Options.MaxBlobBytes, NullLogger<ContentStore>.Instance);

        Assert.False(File.Exists(leftover));
        Assert.Equal(1, reopened.Count);
    }
}
