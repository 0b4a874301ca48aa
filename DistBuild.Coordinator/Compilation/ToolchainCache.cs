using System.Text;
using DistBuild.Protocol.Toolchains;

namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// `rustc -vV` of each rustc a build uses, answered through the probe cache: every compile needs the toolchain's
/// identity, and cargo asks the same question itself (twice for a fresh target directory) before its first compile.
/// </summary>
public sealed class ToolchainCache(ProbeCache probes)
{
    /// <summary>What `rustc -vV` printed for the request's rustc, run in the request's environment when no answer is kept.</summary>
    public Task<LocalRustcRunner.Output> VersionAsync(ShimRequest request, CancellationToken cancellationToken) =>
        probes.AnswerAsync(request with { Arguments = ["-vV"] }, cancellationToken);

    public async Task<RustToolchain> GetAsync(ShimRequest request, CancellationToken cancellationToken)
    {
        var output = await VersionAsync(request, cancellationToken).ConfigureAwait(false);
        if (output.ExitCode != 0)
            throw new InvalidOperationException($"`{request.RustcPath} -vV` exited with code {output.ExitCode}: {Encoding.UTF8.GetString(output.Stderr).Trim()}");
        return RustToolchain.Parse(Encoding.UTF8.GetString(output.Stdout));
    }
}
