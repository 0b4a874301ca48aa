namespace DistBuild.Worker.Isolation;

/// <summary>How a job's rustc is confined (`Worker:Sandbox`).</summary>
public enum SandboxMode
{
    /// <summary>Inside bubblewrap: no network, read-only system, only the job directory writable. The worker will not start without a usable bwrap.</summary>
    Bubblewrap,

    /// <summary>As a plain child process, with the worker's own rights. Must be chosen explicitly.</summary>
    None,

    /// <summary>Bubblewrap when it works on this machine, else none with a warning: for the embedded default and tests, never for a shared worker.</summary>
    Auto,
}
