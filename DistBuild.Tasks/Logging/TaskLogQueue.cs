using System.Collections.Concurrent;
using DistBuild.Protocol.Coordination;
using DistBuild.Tasks.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace DistBuild.Tasks.Logging;

/// <summary>
/// Carries log events from background threads (cargo's output readers, the coordinator) to the task's own thread:
/// MSBuild expects a task to log from the thread that runs Execute, as ToolTask does.
/// </summary>
public sealed class TaskLogQueue(TaskLoggingHelper log) : ICompileLog
{
    private readonly BlockingCollection<Action<TaskLoggingHelper>> _events = new();
    private int _errors;

    /// <summary>Whether an error was queued (including ones not yet written).</summary>
    public bool HasErrors => Volatile.Read(ref _errors) > 0;

    public void Progress(string message) => Enqueue(l => l.LogMessage(MessageImportance.Normal, message));

    public void Detail(string message) => Enqueue(l => l.LogMessage(MessageImportance.Low, message));

    public void Warning(string code, string message) => Enqueue(l => l.LogWarning("DistBuild", code, null, null, 0, 0, 0, 0, message));

    public void High(string message) => Enqueue(l => l.LogMessage(MessageImportance.High, message));

    public void Error(string code, string? file, string message)
    {
        Interlocked.Increment(ref _errors);
        Enqueue(l => l.LogError("DistBuild", code, null, file, 0, 0, 0, 0, message));
    }

    public void Report(BuildDiagnostic d)
    {
        switch (d.Severity)
        {
            case DiagnosticSeverity.Error:
                Interlocked.Increment(ref _errors);
                Enqueue(l => l.LogError(d.Subcategory, d.Code, d.HelpKeyword, d.File, d.Line, d.Column, d.EndLine, d.EndColumn, d.Message));
                break;
            case DiagnosticSeverity.Warning:
                Enqueue(l => l.LogWarning(d.Subcategory, d.Code, d.HelpKeyword, d.File, d.Line, d.Column, d.EndLine, d.EndColumn, d.Message));
                break;
            default:
                Enqueue(l => l.LogMessage(d.Subcategory, d.Code, d.HelpKeyword, d.File, d.Line, d.Column, d.EndLine, d.EndColumn, MessageImportance.Low, d.Message));
                break;
        }
    }

    /// <summary>Writes queued events on the calling thread until <paramref name="work"/> completes, then the rest.</summary>
    public void Pump(System.Threading.Tasks.Task work)
    {
        while (!work.IsCompleted)
        {
            if (_events.TryTake(out var write, 50))
                write(log);
        }
        while (_events.TryTake(out var write))
            write(log);
    }

    private void Enqueue(Action<TaskLoggingHelper> write) => _events.Add(write);
}
