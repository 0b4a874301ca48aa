using DistBuild.Protocol.Coordination;

namespace DistBuild.Tasks.Tests.Coordination;

public class CoordinatorMessagesTests
{
    [Fact]
    public void Settings_travel_whole_including_the_token_and_init_only_values()
    {
        var settings = new CoordinatorSettings("https://farm:8980", "main", "s3cret", LocalFallback: true, JobTimeout: TimeSpan.FromMinutes(7))
        {
            CaCertificate = "/etc/ca.pem",
            LocalCasDirectory = "/home/me/.cache/distbuild/cas",
            SchedulerAlreadyChecked = true,
        };

        var line = CoordinatorMessages.Encode(settings);

        Assert.DoesNotContain('\n', line);
        Assert.Equal(settings, CoordinatorMessages.DecodeSettings(line));
    }

    [Fact]
    public void A_compile_event_carries_the_invocation_with_its_phases()
    {
        var invocation = new InvocationRecord("serde", "lib", "remote", "worker-1", 0, 1.25, 2, "succeeded on attempt 2",
            new CompilePhases(0.01, 0.02, 1.1, 0.03, 0.05, 0.9, 0.04));

        var decoded = CoordinatorMessages.DecodeEvent(CoordinatorMessages.Encode(new CoordinatorEvent(CoordinatorEventKinds.Compiled, Invocation: invocation)));

        Assert.Equal(CoordinatorEventKinds.Compiled, decoded?.Kind);
        Assert.Equal(invocation, decoded?.Invocation);
        Assert.Equal(1, decoded?.Invocation?.Retries);
    }

    [Theory]
    [InlineData("Unhandled exception. System.Exception: boom")]
    [InlineData("{not json")]
    [InlineData("{\"message\":\"no kind\"}")]
    [InlineData("")]
    public void A_line_that_is_not_an_event_is_null_so_the_task_logs_it_as_it_is(string line) =>
        Assert.Null(CoordinatorMessages.DecodeEvent(line));
}
