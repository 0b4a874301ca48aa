namespace DistBuild.Cli.Commands;

/// <summary>A problem the user can fix, printed as one line without a stack trace.</summary>
public sealed class CliException(string message) : Exception(message);
