using Build.Bazel.Remote.Execution.V2;
using Action = Build.Bazel.Remote.Execution.V2.Action;

namespace DistBuild.Scheduler.Execution;

/// <summary>An action whose Action, Command and whole input tree were found in the CAS and checked.</summary>
public sealed record LoadedAction(Digest ActionDigest, Action Action, Command Command, Platform Platform, TimeSpan Timeout, string Description);
