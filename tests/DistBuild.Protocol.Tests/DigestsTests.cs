using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;

namespace DistBuild.Protocol.Tests;

public class DigestsTests
{
    [Fact]
    public void Digest_of_known_bytes_is_lowercase_sha256_and_size()
    {
        var digest = Digests.Digests.Compute("hello"u8);

        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", digest.Hash);
        Assert.Equal(5, digest.SizeBytes);
    }

    [Fact]
    public void Empty_blob_has_the_well_known_digest()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digests.Digests.Empty.Hash);
        Assert.Equal(0, Digests.Digests.Empty.SizeBytes);
    }

    [Fact]
    public void File_and_memory_digests_agree()
    {
        var path = Path.GetTempFileName();
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        try
        {
            Assert.Equal(Digests.Digests.Compute(bytes), Digests.Digests.ComputeFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Printed_form_parses_back()
    {
        var digest = Digests.Digests.Compute("fn main() {}"u8);

        Assert.Equal(digest, Digests.Digests.Parse(Digests.Digests.Format(digest)));
    }

    [Theory]
    [InlineData("abc/12", "64")]
    [InlineData("2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824/5", "lowercase hexadecimal")]
    [InlineData("zzf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824/5", "lowercase hexadecimal")]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824/-5", "not a valid blob size")]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "expected HASH/SIZE")]
    [InlineData("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824/99999999999999999999", "not a valid blob size")]
    public void Malformed_digests_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(Digests.Digests.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Negative_size_in_a_digest_message_is_invalid()
    {
        var digest = new Digest { Hash = Digests.Digests.Empty.Hash, SizeBytes = -1 };

        Assert.False(Digests.Digests.TryValidate(digest, out var error));
        Assert.Contains("negative", error);
    }
}
