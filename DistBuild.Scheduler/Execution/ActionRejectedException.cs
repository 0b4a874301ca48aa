namespace DistBuild.Scheduler.Execution;

/// <summary>An action that can never run as sent (malformed messages, a bad input tree, a command that is not rustc): INVALID_ARGUMENT.</summary>
public sealed class ActionRejectedException(string message) : Exception(message);
