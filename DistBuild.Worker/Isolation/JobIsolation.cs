namespace DistBuild.Worker.Isolation;

/// <summary>How the worker starts a job's program: as it is, or wrapped in a sandbox that confines it to the job directory.</summary>
public abstract class JobIsolation
{
    /// <summary>For the start-up log line: what a job's rustc can and cannot do.</summary>
    public abstract string Description { get; }

    public abstract bool IsSandboxed { get; }

    /// <summary>The program and arguments that run <paramref name="program"/> confined to <paramref name="jobDirectory"/>.</summary>
    public abstract (string Program, IReadOnlyList<string> Arguments) Wrap(string program, IReadOnlyList<string> arguments, string workingDirectory, string jobDirectory);

    public static JobIsolation Unconfined { get; } = new UnconfinedIsolation();

    private sealed class UnconfinedIsolation : JobIsolation
    {
        public override string Description => "not sandboxed: jobs run with the worker's own rights, network and file system (Worker:Sandbox=None)";

        public override bool IsSandboxed => false;

        public override (string Program, IReadOnlyList<string> Arguments) Wrap(string program, IReadOnlyList<string> arguments, string workingDirectory, string jobDirectory) =>
            (program, arguments);
    }
}
