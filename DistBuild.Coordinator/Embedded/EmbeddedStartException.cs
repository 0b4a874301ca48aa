namespace DistBuild.Coordinator.Embedded;

/// <summary>The embedded scheduler or worker could not be started; the message says why and where the log is.</summary>
public sealed class EmbeddedStartException(string message) : Exception(message);
