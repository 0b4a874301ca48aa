using DistBuild.Coordinator.Compilation;

namespace DistBuild.RustcShim;

/// <summary>Writes a remote rustc's output to the shim's own stdout and stderr, byte for byte, so cargo reads rustc's JSON.</summary>
internal static class ResultReplay
{
    public static int Write(ShimResponse response)
    {
        using (var stdout = Console.OpenStandardOutput())
            stdout.Write(response.Stdout);
        using (var stderr = Console.OpenStandardError())
            stderr.Write(response.Stderr);
        return response.ExitCode;
    }
}
