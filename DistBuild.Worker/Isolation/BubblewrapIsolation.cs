using DistBuild.Worker.Jobs;

namespace DistBuild.Worker.Isolation;

/// <summary>
/// Runs a job inside bubblewrap (bwrap): the whole file system read-only, the worker's work directory (blob cache,
/// other jobs) hidden, the job's own directory writable, fresh /dev and /proc, no network (only a loopback that
/// reaches nothing), its own PID namespace and session; the worker's jobserver pipes are visible, so rustc shares
/// the worker's code generation tokens. `--die-with-parent` ends the job when the worker dies,
/// even by SIGKILL, so no rustc outlives it.
/// </summary>
public sealed class BubblewrapIsolation(string bwrapPath, string workDirectory) : JobIsolation
{
    public string BwrapPath { get; } = bwrapPath;

    public override string Description => $"sandboxed with bubblewrap ({BwrapPath}): no network, read-only file system, only the job directory writable";

    public override bool IsSandboxed => true;

    public override (string Program, IReadOnlyList<string> Arguments) Wrap(string program, IReadOnlyList<string> arguments, string workingDirectory, string jobDirectory) =>
        (BwrapPath, [.. Options(jobDirectory), "--chdir", workingDirectory, "--", program, .. arguments]);

    /// <summary>The confinement, in the order bwrap applies mounts: later binds go on top of earlier ones.</summary>
    public IReadOnlyList<string> Options(string jobDirectory) =>
    [
        "--die-with-parent",
        "--new-session",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", workDirectory,
        "--bind", RustcJobserver.DirectoryIn(workDirectory), RustcJobserver.DirectoryIn(workDirectory),
        "--bind", jobDirectory, jobDirectory,
    ];
}
