using DistBuild.Worker.Sandbox;

namespace DistBuild.Worker.Tests.Sandbox;

public sealed class PathRewriterTests
{
    private const string Root = "/work/jobs/j1/root";

    private static PathRewriter Rewriter(params string[] clientPathsInSandbox) =>
        new(Root, path => clientPathsInSandbox.Any(p => Root + p == path));

    [Fact]
    public void Absolute_argument_that_exists_in_the_sandbox_is_prefixed_with_the_root()
    {
        var rewriter = Rewriter("/home/me/proj/target/debug/deps");
        Assert.Equal(Root + "/home/me/proj/target/debug/deps", rewriter.RewriteValue("/home/me/proj/target/debug/deps"));
    }

    [Fact]
    public void Part_after_the_first_equals_sign_is_rewritten()
    {
        var rewriter = Rewriter("/home/me/proj/target/debug/deps", "/home/me/proj/target/debug/deps/libcore-1.rlib");
        Assert.Equal("dependency=" + Root + "/home/me/proj/target/debug/deps", rewriter.RewriteValue("dependency=/home/me/proj/target/debug/deps"));
        Assert.Equal("core=" + Root + "/home/me/proj/target/debug/deps/libcore-1.rlib", rewriter.RewriteValue("core=/home/me/proj/target/debug/deps/libcore-1.rlib"));
    }

    [Fact]
    public void Paths_that_are_not_in_the_sandbox_and_relative_paths_stay_as_they_are()
    {
        var rewriter = Rewriter("/home/me/proj/src/lib.rs");
        Assert.Equal("/usr/bin/cc", rewriter.RewriteValue("/usr/bin/cc"));
        Assert.Equal("src/lib.rs", rewriter.RewriteValue("src/lib.rs"));
        Assert.Equal("linker=/usr/bin/cc", rewriter.RewriteValue("linker=/usr/bin/cc"));
        Assert.Equal("/", rewriter.RewriteValue("/"));
    }

    [Fact]
    public void Arguments_get_a_remap_of_the_sandbox_root_to_nothing()
    {
        var rewriter = Rewriter("/home/me/proj/target/debug/deps");
        var arguments = rewriter.RewriteArguments(["--crate-name", "core", "src/lib.rs", "--out-dir", "/home/me/proj/target/debug/deps", "-L", "dependency=/home/me/proj/target/debug/deps"]);
        Assert.Equal(
            ["--crate-name", "core", "src/lib.rs", "--out-dir", Root + "/home/me/proj/target/debug/deps", "-L", "dependency=" + Root + "/home/me/proj/target/debug/deps", $"--remap-path-prefix={Root}="],
            arguments);
    }

    [Fact]
    public void Client_remaps_are_repeated_for_the_sandbox_form_of_their_paths()
    {
        var rewriter = Rewriter("/home/me/proj");
        var arguments = rewriter.RewriteArguments(["--remap-path-prefix=/home/me/proj=.", "--remap-path-prefix", "/home/me=~"]);
        Assert.Equal(
            ["--remap-path-prefix=/home/me/proj=.", "--remap-path-prefix", "/home/me=~", $"--remap-path-prefix={Root}=", $"--remap-path-prefix={Root}/home/me/proj=.", $"--remap-path-prefix={Root}/home/me=~"],
            arguments);
    }

    [Fact]
    public void A_path_already_inside_the_sandbox_is_not_prefixed_twice()
    {
        var rewriter = new PathRewriter(Root, _ => true);
        Assert.Equal(Root + "/x", rewriter.RewriteValue(Root + "/x"));
    }
}
