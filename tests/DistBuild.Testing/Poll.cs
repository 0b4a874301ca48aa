namespace DistBuild.Testing;

/// <summary>Waits for a condition that another process or thread makes true, failing with a message that says what did not happen.</summary>
public static class Poll
{
    /// <summary>
    /// Returns once the condition holds; after the timeout throws <see cref="TimeoutException"/> with the failure
    /// message, made then, so it shows the state that did not change (a host's output, the processes left).
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException(failure());
            await Task.Delay(50);
        }
    }
}
