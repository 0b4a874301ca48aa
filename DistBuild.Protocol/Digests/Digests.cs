using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Build.Bazel.Remote.Execution.V2;
using Google.Protobuf;

namespace DistBuild.Protocol.Digests;

/// <summary>SHA-256 digests as REAPI defines them: lowercase hex hash plus size in bytes.</summary>
public static class Digests
{
    public const int HashLength = 64;

    /// <summary>The digest of the empty blob, which every CAS holds implicitly.</summary>
    public static readonly Digest Empty = Compute(ReadOnlySpan<byte>.Empty);

    public static Digest Compute(ReadOnlySpan<byte> data) =>
        new() { Hash = Convert.ToHexStringLower(SHA256.HashData(data)), SizeBytes = data.Length };

    public static Digest Compute(IMessage message) => Compute(message.ToByteArray());

    public static Digest ComputeFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Compute(stream);
    }

    public static Digest Compute(Stream stream)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long size = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            size += read;
        }
        return new Digest { Hash = Convert.ToHexStringLower(sha.GetHashAndReset()), SizeBytes = size };
    }

    /// <summary>The `HASH/SIZE` form the CLI prints and accepts.</summary>
    public static string Format(Digest digest) => $"{digest.Hash}/{digest.SizeBytes}";

    /// <summary>A key for dictionaries and file names; equal digests give equal keys.</summary>
    public static string Key(this Digest digest) => $"{digest.Hash}_{digest.SizeBytes}";

    public static bool TryParse(string text, [NotNullWhen(true)] out Digest? digest, [NotNullWhen(false)] out string? error)
    {
        digest = null;
        var parts = text.Trim().Split('/');
        if (parts.Length != 2)
        {
            error = $"'{text}' is not a digest: expected HASH/SIZE";
            return false;
        }
        if (!long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
        {
            error = $"'{parts[1]}' is not a valid blob size";
            return false;
        }
        var candidate = new Digest { Hash = parts[0], SizeBytes = size };
        if (!TryValidate(candidate, out error))
            return false;
        digest = candidate;
        return true;
    }

    public static Digest Parse(string text) =>
        TryParse(text, out var digest, out var error) ? digest : throw new FormatException(error);

    /// <summary>Checks the form of a digest (not its content): 64 lowercase hex digits and a non-negative size.</summary>
    public static bool TryValidate(Digest? digest, [NotNullWhen(false)] out string? error)
    {
        if (digest is null)
        {
            error = "digest is missing";
            return false;
        }
        if (digest.Hash.Length != HashLength)
        {
            error = $"digest hash '{Truncate(digest.Hash)}' has {digest.Hash.Length} characters; a SHA-256 hash has {HashLength}";
            return false;
        }
        foreach (var c in digest.Hash)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                error = $"digest hash '{Truncate(digest.Hash)}' is not lowercase hexadecimal";
                return false;
            }
        }
        if (digest.SizeBytes < 0)
        {
            error = $"digest size {digest.SizeBytes} is negative";
            return false;
        }
        error = null;
        return true;
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
