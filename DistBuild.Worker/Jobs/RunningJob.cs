namespace DistBuild.Worker.Jobs;

/// <summary>A job holding a slot, with the switch that cancels it.</summary>
public sealed class RunningJob(string jobId) : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();

    public string JobId { get; } = jobId;

    public CancellationToken Cancelled => _cancellation.Token;

    public bool CancelRequested => _cancellation.IsCancellationRequested;

    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The job finished while it was being cancelled.
        }
    }

    public void Dispose() => _cancellation.Dispose();
}
