using DistBuild.Protocol.Execution;
using DistBuild.Protocol.Workers;
using Build.Bazel.Remote.Execution.V2;
using Grpc.Core;

namespace DistBuild.Worker.Jobs;

/// <summary>
/// A rustc killed by a signal (segfault, abort, the OOM killer's SIGKILL) says nothing reliable about the crate:
/// rustc itself exits with 0, 1 or 101. Such a run becomes an INTERNAL status, an infrastructure failure the
/// scheduler retries on another worker (up to its attempt limit), instead of an ActionResult the client would take
/// as a compile error.
/// </summary>
public static class CrashedRustc
{
    private static readonly Dictionary<int, string> SignalNames = new()
    {
        [4] = "SIGILL", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [11] = "SIGSEGV", [15] = "SIGTERM",
    };

    /// <summary>Replaces the result with an INTERNAL status when the exit code is a signal death (128 + N).</summary>
    public static void Classify(ReportJobResultRequest report, Command? command)
    {
        if (report.Result is not { ExitCode: > 128 and < 160 } result)
            return;
        var signal = result.ExitCode - 128;
        var name = SignalNames.TryGetValue(signal, out var known) ? known : $"signal {signal}";
        var stderr = result.StderrRaw.ToStringUtf8().Trim();
        var tail = stderr.Length > 400 ? "…" + stderr[^400..] : stderr;
        var description = Describe(command);
        report.Result = null;
        report.Status = RichStatus.Of(StatusCode.Internal,
            $"{description} crashed on worker {report.WorkerId}: rustc was killed by {name} (exit code {128 + signal}){(tail.Length > 0 ? ": " + tail : "")}");
    }

    private static string Describe(Command? command)
    {
        var arguments = command?.Arguments ?? [];
        var crate = arguments.IndexOf("--crate-name") is var i and >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : "?";
        var type = arguments.IndexOf("--crate-type") is var j and >= 0 && j + 1 < arguments.Count ? arguments[j + 1] : "?";
        return $"rustc {crate} ({type})";
    }
}
