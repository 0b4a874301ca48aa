namespace DistBuild.Tasks.Coordination;

/// <summary>The coordinator process exited while starting, crashed, or would not stop; the message says which, with its last words.</summary>
public sealed class CoordinatorFailedException(string message) : Exception(message);
