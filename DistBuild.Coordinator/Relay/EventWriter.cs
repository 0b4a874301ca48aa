using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Coordination;

namespace DistBuild.Coordinator.Relay;

/// <summary>
/// Writes the coordinator's events to standard output for the task that started it, one JSON line each, from any
/// thread; as <see cref="ICompileLog"/> it turns the coordinator's log lines into events.
/// </summary>
public sealed class EventWriter(TextWriter output) : ICompileLog
{
    private readonly Lock _lock = new();

    public void Write(CoordinatorEvent message)
    {
        var line = CoordinatorMessages.Encode(message);
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    public void Progress(string message) => Write(new CoordinatorEvent(CoordinatorEventKinds.Progress, message));

    public void Detail(string message) => Write(new CoordinatorEvent(CoordinatorEventKinds.Detail, message));

    public void Warning(string code, string message) => Write(new CoordinatorEvent(CoordinatorEventKinds.Warning, message, code));
}
