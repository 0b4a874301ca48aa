using DistBuild.Protocol.Hosts;
using DistBuild.Testing;

namespace DistBuild.Tasks.Tests.Hosts;

public sealed class HostCommandTests
{
    private readonly string _tools = TemporaryDirectory.Create("host-command");

    [Fact]
    public void A_native_executable_runs_by_itself()
    {
        var program = Touch("DistBuild.Scheduler");

        var command = HostCommand.For(program, "/usr/bin/dotnet");

        Assert.Equal(program, command.FileName);
        Assert.Equal(["--urls", "http://127.0.0.1:1"], command.Arguments(["--urls", "http://127.0.0.1:1"]));
    }

    [Fact]
    public void An_assembly_beside_the_named_program_runs_under_the_dotnet_host()
    {
        // A framework-dependent publish has both the apphost and the assembly; the assembly is the one to run.
        var apphost = Touch("DistBuild.Scheduler");
        var assembly = Touch("DistBuild.Scheduler.dll");

        var command = HostCommand.For(apphost, "/usr/bin/dotnet");

        Assert.Equal("/usr/bin/dotnet", command.FileName);
        Assert.Equal(assembly, command.Program);
        Assert.Equal([assembly, "--port", "0"], command.Arguments(["--port", "0"]));
    }

    [Fact]
    public void A_named_assembly_runs_under_the_dotnet_host_even_when_missing()
    {
        // The caller checks that Program exists, and names the missing file.
        var assembly = Path.Combine(_tools, "missing.dll");

        var command = HostCommand.For(assembly, "dotnet");

        Assert.Equal("dotnet", command.FileName);
        Assert.Equal([assembly], command.Arguments([]));
    }

    private string Touch(string name)
    {
        var path = Path.Combine(_tools, name);
        File.WriteAllText(path, "");
        return path;
    }
}
