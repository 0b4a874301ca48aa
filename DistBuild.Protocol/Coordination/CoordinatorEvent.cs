namespace DistBuild.Protocol.Coordination;

/// <summary>
/// One line the coordinator process writes to its standard output for the DistBuildCargoBuild task that started it:
/// a log line to relay, a compile for the build report, or how its start went. <see cref="CoordinatorMessages"/>
/// encodes it as JSON.
/// </summary>
/// <param name="Kind">One of the <see cref="CoordinatorEventKinds"/>.</param>
/// <param name="Message">The text of a log line or of a start failure.</param>
/// <param name="Code">A warning's DISTB code.</param>
/// <param name="SocketPath">With <see cref="CoordinatorEventKinds.Ready"/>: the Unix socket the rustc shims connect to.</param>
/// <param name="Invocation">With <see cref="CoordinatorEventKinds.Compiled"/>: one compile of the build.</param>
public sealed record CoordinatorEvent(
    string Kind,
    string? Message = null,
    string? Code = null,
    string? SocketPath = null,
    InvocationRecord? Invocation = null);

/// <summary>The kinds of <see cref="CoordinatorEvent"/>.</summary>
public static class CoordinatorEventKinds
{
    /// <summary>Listening for shims at <see cref="CoordinatorEvent.SocketPath"/>.</summary>
    public const string Ready = "ready";

    /// <summary>The scheduler does not answer and local fallback is off; the coordinator ends.</summary>
    public const string SchedulerUnreachable = "scheduler-unreachable";

    /// <summary>Something answers at the scheduler's URL, but not REAPI; the coordinator ends.</summary>
    public const string SchedulerNotReapi = "scheduler-not-reapi";

    /// <summary>A line for normal verbosity (one per finished crate).</summary>
    public const string Progress = "progress";

    /// <summary>A line for detailed verbosity.</summary>
    public const string Detail = "detail";

    /// <summary>A warning with a DISTB01xx code.</summary>
    public const string Warning = "warning";

    /// <summary>A compile of this build, written when the coordinator stops.</summary>
    public const string Compiled = "compiled";
}
