// Stand-in while DistBuild.Tasks/Compilation/ is being written (same public surface). DistBuild.Tasks.csproj drops
// each stand-in file as soon as Compilation/ has a file of the same name, so the real types replace it unedited.
namespace DistBuild.Tasks.Compilation;

public sealed class RustcCoordinator(CoordinatorSettings settings, ICompileLog log) : IAsyncDisposable
{
    public string SocketPath { get; } = Path.Combine(Path.GetTempPath(), $"distbuild-{Guid.NewGuid():N}.sock");

    public IReadOnlyList<InvocationRecord> Invocations { get; } = [];

    public Task StartAsync(CancellationToken ct)
    {
        if (!settings.LocalFallback)
            throw new SchedulerUnreachableException($"the coordinator is not built into this DistBuild.Tasks yet; cannot reach {settings.SchedulerUrl}");
        log.Warning("DISTB0100", "the coordinator is not built into this DistBuild.Tasks yet; compiling locally");
        return Task.CompletedTask;
    }

    public void Cancel()
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
