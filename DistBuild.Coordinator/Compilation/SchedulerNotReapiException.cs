namespace DistBuild.Coordinator.Compilation;

/// <summary>Something answers at the scheduler URL, but not the REAPI Capabilities call; the message says what answered.</summary>
public sealed class SchedulerNotReapiException(string message) : Exception(message);
