namespace DistBuild.Cli.Tests.Scenarios;

/// <summary>Upper bounds for waits in scenarios: generous, because the machine is small and shared; a pass never waits for them.</summary>
internal static class Timeouts
{
    public static readonly TimeSpan Compile = TimeSpan.FromSeconds(180);
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(60);
}
