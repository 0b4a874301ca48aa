namespace DistBuild.Cli.Tests.Harness;

/// <summary>Polls a condition a user would check by hand, until it holds or the timeout passes.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what} did not happen within {timeout}");
            await Task.Delay(300);
        }
    }
}
