using DistBuild.Coordinator.Build;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Diagnostics;

namespace DistBuild.Coordinator.Relay;

/// <summary>
/// Writes the build's log and artifacts to standard output for the task that started the coordinator, one
/// <see cref="BuildEvent"/> line each, from any thread. Messages less important than
/// <paramref name="leastImportant"/> are dropped: no logger of the build would show them.
/// </summary>
public sealed class EventWriter(TextWriter output, LogImportance leastImportant = LogImportance.Low) : IBuildLog
{
    private const string Subcategory = "DistBuild";
    private readonly Lock _lock = new();
    private int _errors;

    public bool HasErrors => Volatile.Read(ref _errors) > 0;

    public void Write(BuildEvent message)
    {
        var line = message.Encode();
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    public void Progress(string message) => Message(LogImportance.Normal, message);

    public void Detail(string message) => Message(LogImportance.Low, message);

    public void High(string message) => Message(LogImportance.High, message);

    private void Message(LogImportance importance, string message)
    {
        if (Shown(importance))
            Write(new MessageEvent(importance, message));
    }

    // LogImportance counts up from High, so a larger value is a less important message.
    private bool Shown(LogImportance importance) => importance <= leastImportant;

    public void Warning(string code, string message) =>
        Report(new BuildDiagnostic(DiagnosticSeverity.Warning, Subcategory, code, null, null, 0, 0, 0, 0, message));

    public void Error(string code, string? file, string message) =>
        Report(new BuildDiagnostic(DiagnosticSeverity.Error, Subcategory, code, null, file, 0, 0, 0, 0, message));

    public void Report(BuildDiagnostic diagnostic)
    {
        if (diagnostic.Severity == DiagnosticSeverity.Error)
            Interlocked.Increment(ref _errors);
        // The task logs a message-severity diagnostic (rustc's notes) at low importance.
        if (diagnostic.Severity != DiagnosticSeverity.Message || Shown(LogImportance.Low))
            Write(new DiagnosticEvent(diagnostic));
    }

    public void Artifact(ArtifactEvent artifact) => Write(artifact);
}
