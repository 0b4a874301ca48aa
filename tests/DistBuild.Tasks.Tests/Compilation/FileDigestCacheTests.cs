using System.Text;
using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Digests;

namespace DistBuild.Tasks.Tests.Compilation;

public class FileDigestCacheTests
{
    private readonly string _target = Testing.TemporaryDirectory.Create("digests");

    private string Output(string name, string content)
    {
        var path = Path.Combine(_target, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Content of an rlib's size: small files are hashed without looking for a stamp.</summary>
    private static string Rlib(string text) => text + new string('.', (int)FileDigestCache.StampedSizeFloor);

    [Fact]
    public void An_output_one_build_wrote_is_taken_from_its_stamp_by_the_next_build_not_read_again()
    {
        var rlib = Output("libdep-1.rlib", Rlib("rlib as the worker built it"));
        var digest = Digests.Compute(Encoding.UTF8.GetBytes(Rlib("rlib as the worker built it")));
        new FileDigestCache().Seed(rlib, digest);

        // Bytes swapped behind the stamp's back (same size, same modification time): a cache that read the file
        // would see them; the next build's cache, a new instance, takes the digest the stamp carries.
        var modified = File.GetLastWriteTimeUtc(rlib);
        File.WriteAllText(rlib, Rlib("RLIB AS THE WORKER BUILT IT"));
        File.SetLastWriteTimeUtc(rlib, modified);

        Assert.Equal(digest, new FileDigestCache().Get(rlib).Digest);
    }

    [Fact]
    public void An_output_rewritten_since_the_build_that_wrote_it_is_hashed_again()
    {
        var rlib = Output("libdep-1.rlib", Rlib("rlib as the worker built it"));
        new FileDigestCache().Seed(rlib, Digests.ComputeFile(rlib));

        // A local rustc writing it again: new bytes, a later modification time.
        File.WriteAllText(rlib, Rlib("rlib as a local rustc built it"));
        File.SetLastWriteTimeUtc(rlib, DateTime.UtcNow.AddSeconds(5));

        Assert.Equal(Digests.ComputeFile(rlib), new FileDigestCache().Get(rlib).Digest);
    }

    [Fact]
    public void A_small_file_is_hashed_whatever_its_stamp_says()
    {
        var rmeta = Output("libtiny-1.rmeta", "a small rmeta");
        new FileDigestCache().Seed(rmeta, Digests.ComputeFile(rmeta));

        var modified = File.GetLastWriteTimeUtc(rmeta);
        File.WriteAllText(rmeta, "A SMALL RMETA");
        File.SetLastWriteTimeUtc(rmeta, modified);

        Assert.Equal(Digests.ComputeFile(rmeta), new FileDigestCache().Get(rmeta).Digest);
    }

    [Fact]
    public void A_file_whose_size_differs_from_the_digest_it_is_seeded_with_is_neither_remembered_nor_stamped()
    {
        var rlib = Output("libdep-1.rlib", Rlib("rlib"));
        var wrong = Digests.Compute(Encoding.UTF8.GetBytes(Rlib("a longer rlib")));

        var digests = new FileDigestCache();
        digests.Seed(rlib, wrong);

        Assert.Equal(Digests.ComputeFile(rlib), digests.Get(rlib).Digest);
        Assert.Equal(Digests.ComputeFile(rlib), new FileDigestCache().Get(rlib).Digest);
    }
}
