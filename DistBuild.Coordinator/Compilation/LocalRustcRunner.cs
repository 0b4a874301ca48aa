using System.Diagnostics;

namespace DistBuild.Coordinator.Compilation;

/// <summary>Runs a rustc call on this machine, in the shim's working directory and environment, capturing its output.</summary>
public static class LocalRustcRunner
{
    /// <summary>
    /// Variables that name resources of the cargo process the shim belongs to (jobserver file descriptors): they
    /// mean nothing in the coordinator's child, and rustc warns when it cannot connect to them.
    /// </summary>
    private static readonly string[] ProcessBoundVariables = ["CARGO_MAKEFLAGS", "MAKEFLAGS", "MFLAGS"];

    public sealed record Output(int ExitCode, byte[] Stdout, byte[] Stderr);

    public static async Task<Output> RunAsync(ShimRequest request, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(request.RustcPath)
        {
            WorkingDirectory = request.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in request.Arguments)
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment.Clear();
        foreach (var (name, value) in request.Environment)
        {
            if (!ProcessBoundVariables.Contains(name))
                startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"could not start {request.RustcPath}");
        process.StandardInput.Close();
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, cancellationToken);
        var copyErr = process.StandardError.BaseStream.CopyToAsync(stderr, cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
            await Task.WhenAll(copyOut, copyErr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Output(process.ExitCode, stdout.ToArray(), stderr.ToArray());
    }
}
