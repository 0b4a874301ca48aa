namespace DistBuild.Sdk.Tests.EndToEnd;

/// <summary>What a finished command printed (stdout and stderr interleaved) and its exit code.</summary>
public sealed record CommandResult(int ExitCode, string Output)
{
    public CommandResult ShouldSucceed(string what)
    {
        Assert.True(ExitCode == 0, $"{what} failed with exit code {ExitCode}:\n{Output}");
        return this;
    }
}
