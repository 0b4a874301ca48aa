using System.Collections.Concurrent;
using DistBuild.Coordinator.Compilation;
using DistBuild.Protocol.Coordination;

namespace DistBuild.Faults.Tests.Support;

/// <summary>Keeps what the coordinator logged, for assertions and for failure messages.</summary>
internal sealed class RecordingLog : ICompileLog
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToList();
    public IReadOnlyList<string> Warnings => _lines.Where(l => l.StartsWith("warning ", StringComparison.Ordinal)).ToList();

    public void Progress(string message) => _lines.Enqueue("progress " + message);
    public void Detail(string message) => _lines.Enqueue("detail " + message);
    public void Warning(string code, string message) => _lines.Enqueue($"warning {code} {message}");

    public override string ToString() => string.Join('\n', _lines);
}
