using System.Text;
using DistBuild.Worker.Sandbox;

namespace DistBuild.Worker.Tests.Sandbox;

public sealed class DepInfoRewritingTests
{
    private const string Root = "/var/cache/distbuild/worker-1/jobs/j1/root";

    [Fact]
    public void Dep_info_names_the_clients_paths_after_the_sandbox_root_is_stripped()
    {
        var depInfo = $"""
            {Root}/home/me/proj/target/debug/deps/core-1.d: src/lib.rs {Root}/home/me/proj/target/debug/build/core-2/out/gen.rs

            {Root}/home/me/proj/target/debug/deps/libcore-1.rlib: src/lib.rs

            src/lib.rs:
            # env-dep:OUT_DIR={Root}/home/me/proj/target/debug/build/core-2/out
            """;
        var stripped = Encoding.UTF8.GetString(new SandboxPathStripper(Root).Strip(Encoding.UTF8.GetBytes(depInfo)));
        Assert.DoesNotContain(Root, stripped);
        Assert.Contains("/home/me/proj/target/debug/deps/core-1.d: src/lib.rs /home/me/proj/target/debug/build/core-2/out/gen.rs", stripped);
        Assert.Contains("# env-dep:OUT_DIR=/home/me/proj/target/debug/build/core-2/out", stripped);
    }

    [Fact]
    public void Rustc_artifact_messages_name_the_clients_paths()
    {
        var message = $$"""{"$message_type":"artifact","artifact":"{{Root}}/home/me/proj/target/debug/deps/libcore-1.rmeta","emit":"metadata"}""";
        var stripped = Encoding.UTF8.GetString(new SandboxPathStripper(Root + "/").Strip(Encoding.UTF8.GetBytes(message)));
        Assert.Equal("""{"$message_type":"artifact","artifact":"/home/me/proj/target/debug/deps/libcore-1.rmeta","emit":"metadata"}""", stripped);
    }

    [Fact]
    public void Text_without_sandbox_paths_is_unchanged()
    {
        var bytes = Encoding.UTF8.GetBytes("error[E0308]: mismatched types\n --> src/main.rs:1:1\n");
        Assert.Same(bytes, new SandboxPathStripper(Root).Strip(bytes));
    }

    [Fact]
    public void Only_files_ending_in_d_are_dep_info()
    {
        Assert.True(SandboxPathStripper.IsDepInfo("target/debug/deps/core-1.d"));
        Assert.False(SandboxPathStripper.IsDepInfo("target/debug/deps/libcore-1.rlib"));
    }
}
