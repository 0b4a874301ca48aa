using Build.Bazel.Remote.Execution.V2;
using DistBuild.Worker.Jobs;
using Grpc.Core;

namespace DistBuild.Worker.Sandbox;

/// <summary>
/// A worker compiles Rust and runs nothing else: a Command whose program is not `rustc` is refused before
/// anything is fetched, and the worker's own rustc runs in place of whatever path the client named.
/// </summary>
public static class CommandPolicy
{
    public static void Check(Command command)
    {
        if (command.Arguments.Count == 0)
            throw JobFailure.Of(StatusCode.InvalidArgument, "the command has no arguments; arguments[0] must be rustc");
        var program = command.Arguments[0];
        if (Path.GetFileName(program) != "rustc")
            throw JobFailure.Of(StatusCode.PermissionDenied, $"this worker only runs rustc, not '{program}'");
    }
}
