using DistBuild.Coordinator.Build;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Diagnostics;

namespace DistBuild.Coordinator.Relay;

/// <summary>
/// Writes the build's log and artifacts to standard output for the task that started the coordinator, one
/// <see cref="BuildEvent"/> line each, from any thread.
/// </summary>
public sealed class EventWriter(TextWriter output) : IBuildLog
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

    public void Progress(string message) => Write(new MessageEvent(LogImportance.Normal, message));

    public void Detail(string message) => Write(new MessageEvent(LogImportance.Low, message));

    public void High(string message) => Write(new MessageEvent(LogImportance.High, message));

    public void Warning(string code, string message) =>
        Report(new BuildDiagnostic(DiagnosticSeverity.Warning, Subcategory, code, null, null, 0, 0, 0, 0, message));

    public void Error(string code, string? file, string message) =>
        Report(new BuildDiagnostic(DiagnosticSeverity.Error, Subcategory, code, null, file, 0, 0, 0, 0, message));

    public void Report(BuildDiagnostic diagnostic)
    {
        if (diagnostic.Severity == DiagnosticSeverity.Error)
            Interlocked.Increment(ref _errors);
        Write(new DiagnosticEvent(diagnostic));
    }

    public void Artifact(ArtifactEvent artifact) => Write(artifact);
}
