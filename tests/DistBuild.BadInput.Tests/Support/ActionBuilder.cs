using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using Directory = Build.Bazel.Remote.Execution.V2.Directory;

namespace DistBuild.BadInput.Tests.Support;

/// <summary>Actions for a small lib crate, with hooks to break any part: its tree, its command, its Action.</summary>
public static class ActionBuilder
{
    public const string Source = "pub fn answer() -> u32 { 42 }\n";

    public static Command Command(string program = "rustc") => new()
    {
        Arguments = { program, "--crate-name", "answer", "--crate-type", "lib", "--edition", "2021", "src/lib.rs", "--out-dir", "out" },
        OutputPaths = { "out/libanswer.rlib" },
    };

    /// <summary>Stores the source, a root holding <c>src/lib.rs</c> (plus <paramref name="extraRoot"/>'s entries) and the command; returns the action digest.</summary>
    public static async Task<Digest> StoreAsync(Farm farm, Command? command = null, Func<Digest, Task<Directory>>? root = null, Action<Build.Bazel.Remote.Execution.V2.Action>? edit = null)
    {
        var source = await farm.StoreAsync(Source + "// " + Guid.NewGuid() + "\n");
        var src = await farm.StoreAsync(new Directory { Files = { new FileNode { Name = "lib.rs", Digest = source } } });
        var rootDirectory = root is null ? new Directory { Directories = { new DirectoryNode { Name = "src", Digest = src } } } : await root(src);
        var action = new Build.Bazel.Remote.Execution.V2.Action
        {
            CommandDigest = await farm.StoreAsync(command ?? Command()),
            InputRootDigest = await farm.StoreAsync(rootDirectory),
        };
        edit?.Invoke(action);
        return await farm.StoreAsync(action);
    }
}
