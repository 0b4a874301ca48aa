namespace DistBuild.BadInput.Tests.Support;

/// <summary>Every call in the suite carries a deadline: a server that hangs on bad input fails the test instead of the run.</summary>
public static class Deadlines
{
    public static DateTime Short() => DateTime.UtcNow.AddSeconds(15);
}
