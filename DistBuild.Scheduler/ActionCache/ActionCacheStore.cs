using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Scheduler.Cas;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace DistBuild.Scheduler.ActionCache;

/// <summary>
/// Action digest → ActionResult, one file per entry under `ac/HH/HASH_SIZE`. An entry whose outputs are no
/// longer all in the CAS (evicted, deleted) is a miss, because a client could not download them.
/// </summary>
public sealed class ActionCacheStore
{
    private readonly string _root;
    private readonly ContentStore _cas;
    private readonly ILogger _logger;

    public ActionCacheStore(string directory, ContentStore cas, ILogger<ActionCacheStore> logger)
    {
        _root = directory;
        _cas = cas;
        _logger = logger;
        System.IO.Directory.CreateDirectory(_root);
    }

    /// <summary>The cached result, or null on a miss (no entry, unreadable entry, or outputs gone from the CAS).</summary>
    public ActionResult? TryGet(Digest actionDigest)
    {
        var path = PathOf(actionDigest);
        ActionResult result;
        try
        {
            result = ActionResult.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or InvalidProtocolBufferException or UnauthorizedAccessException)
        {
            if (e is InvalidProtocolBufferException)
                _logger.LogWarning("Action cache entry {Path} is unreadable; treating it as a miss", path);
            return null;
        }
        var missing = ReferencedBlobs(result).FirstOrDefault(d => !_cas.Contains(d));
        if (missing is not null)
        {
            _logger.LogDebug("Action {Action} misses: output blob {Blob} is gone from the CAS", Digests.Format(actionDigest), Digests.Format(missing));
            return null;
        }
        return result;
    }

    public void Put(Digest actionDigest, ActionResult result)
    {
        var path = PathOf(actionDigest);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllBytes(temporary, result.ToByteArray());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Every CAS blob the result points to (outputs, trees, stdout, stderr).</summary>
    public static IEnumerable<Digest> ReferencedBlobs(ActionResult result)
    {
        foreach (var file in result.OutputFiles)
        {
            if (file.Digest is not null)
                yield return file.Digest;
        }
        foreach (var directory in result.OutputDirectories)
        {
            if (directory.TreeDigest is not null)
                yield return directory.TreeDigest;
        }
        if (result.StdoutDigest is { } stdout)
            yield return stdout;
        if (result.StderrDigest is { } stderr)
            yield return stderr;
    }

    private string PathOf(Digest digest) => Path.Combine(_root, digest.Hash[..2], digest.Key());
}
