using System.Collections.Concurrent;
using System.Text;
using DistBuild.Protocol.Toolchains;

namespace DistBuild.Coordinator.Compilation;

/// <summary>The identity of each rustc a build uses, from one `rustc -vV` per rustc path.</summary>
public sealed class ToolchainCache
{
    private readonly ConcurrentDictionary<string, Lazy<Task<RustToolchain>>> _toolchains = new(StringComparer.Ordinal);

    public Task<RustToolchain> GetAsync(ShimRequest request, CancellationToken cancellationToken) =>
        _toolchains.GetOrAdd(request.RustcPath, _ => new Lazy<Task<RustToolchain>>(() => QueryAsync(request, cancellationToken))).Value;

    private static async Task<RustToolchain> QueryAsync(ShimRequest request, CancellationToken cancellationToken)
    {
        var output = await LocalRustcRunner.RunAsync(request with { Arguments = ["-vV"] }, cancellationToken);
        if (output.ExitCode != 0)
            throw new InvalidOperationException($"`{request.RustcPath} -vV` exited with code {output.ExitCode}: {Encoding.UTF8.GetString(output.Stderr).Trim()}");
        return RustToolchain.Parse(Encoding.UTF8.GetString(output.Stdout));
    }
}
