namespace DistBuild.Protocol.Coordination;

/// <summary>
/// Where the coordinator reports, so it needs no MSBuild types: in the coordinator process its events go to standard
/// output, and the task relays them to MSBuild through its own implementation.
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
