using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Scheduler.Cas;

/// <summary>
/// Unfinished ByteStream writes by resource name, kept after a broken stream so the client can ask
/// QueryWriteStatus and resume at the committed offset, as the ByteStream protocol allows.
/// </summary>
public sealed class UploadSessions(ContentStore store, TimeProvider time)
{
    private static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(15);
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>A session to write into at <paramref name="offset"/>: new at offset 0, the kept one when resuming.</summary>
    public BlobUpload Open(string resourceName, Digest digest, long offset)
    {
        lock (_sessions)
        {
            RemoveAbandonedLocked();
            if (offset == 0)
            {
                if (_sessions.Remove(resourceName, out var old))
                    old.Upload.Dispose();
                var upload = store.BeginUpload(digest);
                _sessions[resourceName] = new Session(upload) { LastUsed = time.GetUtcNow() };
                return upload;
            }
            if (_sessions.TryGetValue(resourceName, out var session) && session.Upload.CommittedSize == offset)
            {
                session.LastUsed = time.GetUtcNow();
                return session.Upload;
            }
            var committed = session?.Upload.CommittedSize ?? 0;
            throw new BlobRejectedException($"write_offset {offset} does not match the {committed} bytes committed for '{resourceName}'");
        }
    }

    public long? CommittedSize(string resourceName)
    {
        lock (_sessions)
            return _sessions.TryGetValue(resourceName, out var session) ? session.Upload.CommittedSize : null;
    }

    public void Touch(string resourceName)
    {
        lock (_sessions)
        {
            if (_sessions.TryGetValue(resourceName, out var session))
                session.LastUsed = time.GetUtcNow();
        }
    }

    /// <summary>Forgets a finished or failed write.</summary>
    public void Close(string resourceName)
    {
        lock (_sessions)
        {
            if (_sessions.Remove(resourceName, out var session))
                session.Upload.Dispose();
        }
    }

    private void RemoveAbandonedLocked()
    {
        var now = time.GetUtcNow();
        foreach (var (name, session) in _sessions.Where(s => now - s.Value.LastUsed > Abandoned).ToList())
        {
            session.Upload.Dispose();
            _sessions.Remove(name);
        }
    }

    private sealed record Session(BlobUpload Upload)
    {
        public DateTimeOffset LastUsed { get; set; }
    }
}
