using DistBuild.Testing;
using DistBuild.Worker.Toolchains;

namespace DistBuild.Worker.Tests.Toolchains;

public sealed class RustcProbeTests
{
    [Fact]
    public async Task A_rustup_proxy_is_replaced_by_the_rustc_of_the_toolchain_it_resolves_to()
    {
        var directory = TemporaryDirectory.Create("rustup-proxy");
        var sysroot = (await RustTools.RunAsync(RustTools.Rustc, ["--print", "sysroot"], directory)).Stdout.Trim();
        // A stand-in for rustup: a binary named rustup, reached through a symbolic link named rustc.
        var rustup = Executable(directory, "rustup", $"exec \"{RustTools.Rustc}\" \"$@\"");
        var proxy = Path.Combine(directory, "rustc");
        File.CreateSymbolicLink(proxy, rustup);

        var (toolchain, error) = await RustcProbe.ProbeAsync(proxy, CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(Path.Combine(sysroot, "bin", "rustc"), toolchain!.RustcPath);
    }

    [Fact]
    public async Task A_wrapper_script_is_run_as_configured_even_when_it_hands_over_to_a_real_rustc()
    {
        var directory = TemporaryDirectory.Create("rustc-wrapper");
        var wrapper = Executable(directory, "rustc", $"exec \"{RustTools.Rustc}\" \"$@\"");

        var (toolchain, error) = await RustcProbe.ProbeAsync(wrapper, CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(wrapper, toolchain!.RustcPath);
    }

    private static string Executable(string directory, string name, string body)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
