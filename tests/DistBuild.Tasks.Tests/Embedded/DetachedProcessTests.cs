using DistBuild.Coordinator.Embedded;
using DistBuild.Testing;

namespace DistBuild.Tasks.Tests.Embedded;

public sealed class DetachedProcessTests
{
    private readonly string _logs = TemporaryDirectory.Create("detached");

    [Fact]
    public void A_host_just_started_counts_as_running_even_while_it_is_still_exec_ing()
    {
        // Right after Start the child is often between execve steps (sh → setsid → the host), when its
        // /proc/PID/cmdline reads empty; about one start in thirty on a busy machine. Each must count as running.
        for (var i = 0; i < 60; i++)
        {
            var pid = DetachedProcess.Start("sleep", ["2"], Path.Combine(_logs, $"sleep-{i}.log"), new Dictionary<string, string?>());
            Assert.True(DetachedProcess.IsRunning(pid, "sleep"), $"start {i}: pid {pid} not seen as running");
        }
    }

    [Fact]
    public async Task A_host_that_exited_is_not_running_and_another_program_at_its_pid_is_not_it()
    {
        var pid = DetachedProcess.Start("true", [], Path.Combine(_logs, "true.log"), new Dictionary<string, string?>());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DetachedProcess.IsRunning(pid, "true") && DateTime.UtcNow < deadline)
            await Task.Delay(20);

        Assert.False(DetachedProcess.IsRunning(pid, "true"));
        Assert.False(DetachedProcess.IsRunning(Environment.ProcessId, "DistBuild.Worker"));
    }
}
