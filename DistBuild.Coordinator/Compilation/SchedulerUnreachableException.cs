namespace DistBuild.Coordinator.Compilation;

/// <summary>The scheduler did not answer at start, and local fallback is off; the message says which URL and what to do.</summary>
public sealed class SchedulerUnreachableException(string message, Exception? innerException = null) : Exception(message, innerException);
