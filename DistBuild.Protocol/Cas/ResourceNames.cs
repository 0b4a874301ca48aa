using System.Diagnostics.CodeAnalysis;
using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Protocol.Cas;

/// <summary>
/// ByteStream resource names as REAPI defines them: read "{instance}/blobs/{hash}/{size}" and write
/// "{instance}/uploads/{uuid}/blobs/{hash}/{size}", where an empty instance name drops its segment and
/// anything after the size is optional metadata a server may ignore.
/// </summary>
public static class ResourceNames
{
    public static string ForRead(string instanceName, Digest digest) =>
        Prefix(instanceName) + $"blobs/{digest.Hash}/{digest.SizeBytes}";

    public static string ForWrite(string instanceName, Guid uploadId, Digest digest) =>
        Prefix(instanceName) + $"uploads/{uploadId:D}/blobs/{digest.Hash}/{digest.SizeBytes}";

    public static bool TryParseRead(string resourceName, out string instanceName, [NotNullWhen(true)] out Digest? digest, [NotNullWhen(false)] out string? error)
    {
        var segments = resourceName.Split('/');
        // The instance name may itself contain slashes: the first "blobs" segment followed by a hash and a size marks the digest.
        for (var i = 0; i + 2 < segments.Length; i++)
        {
            if (segments[i] == "compressed-blobs")
                return Fail(out instanceName, out digest, out error, $"resource '{resourceName}' asks for compressed blobs, which this server does not offer");
            if (segments[i] != "blobs")
                continue;
            instanceName = string.Join('/', segments[..i]);
            return TryDigest(segments[i + 1], segments[i + 2], resourceName, out digest, out error);
        }
        return Fail(out instanceName, out digest, out error, $"'{resourceName}' is not a read resource name: expected '{{instance}}/blobs/{{hash}}/{{size}}'");
    }

    public static bool TryParseWrite(string resourceName, out string instanceName, [NotNullWhen(true)] out Digest? digest, [NotNullWhen(false)] out string? error)
    {
        var segments = resourceName.Split('/');
        for (var i = 0; i + 4 < segments.Length; i++)
        {
            if (segments[i] != "uploads")
                continue;
            if (segments[i + 2] == "compressed-blobs")
                return Fail(out instanceName, out digest, out error, $"resource '{resourceName}' uploads compressed blobs, which this server does not accept");
            if (segments[i + 2] != "blobs")
                break;
            instanceName = string.Join('/', segments[..i]);
            return TryDigest(segments[i + 3], segments[i + 4], resourceName, out digest, out error);
        }
        return Fail(out instanceName, out digest, out error, $"'{resourceName}' is not a write resource name: expected '{{instance}}/uploads/{{uuid}}/blobs/{{hash}}/{{size}}'");
    }

    private static bool TryDigest(string hash, string size, string resourceName, [NotNullWhen(true)] out Digest? digest, [NotNullWhen(false)] out string? error)
    {
        if (!Digests.Digests.TryParse($"{hash}/{size}", out digest, out var digestError))
        {
            error = $"resource '{resourceName}': {digestError}";
            return false;
        }
        error = null;
        return true;
    }

    private static bool Fail(out string instanceName, out Digest? digest, out string? error, string message)
    {
        instanceName = "";
        digest = null;
        error = message;
        return false;
    }

    private static string Prefix(string instanceName) => instanceName.Length == 0 ? "" : instanceName.TrimEnd('/') + "/";
}
