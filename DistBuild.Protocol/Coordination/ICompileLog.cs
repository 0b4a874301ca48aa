namespace DistBuild.Protocol.Coordination;

/// <summary>
/// Where the coordinator reports, so it needs no MSBuild types: in the coordinator process these become events on
/// standard output (EventWriter), which the task relays to MSBuild; tests record them.
/// </summary>
public interface ICompileLog
{
    /// <summary>Normal verbosity: one line per crate when it finishes.</summary>
    void Progress(string message);

    /// <summary>Low verbosity: why a call ran locally, fallbacks, transfer details.</summary>
    void Detail(string message);

    /// <summary>A problem the build survives; codes DISTB01xx come from the coordinator.</summary>
    void Warning(string code, string message);
}
