// distbuild-coordinator: runs the cargo builds of one DistBuildCargoBuild task and serves their rustc shims. The task
// writes a BuildRequest as the first line of standard input, then may write "cancel"; the coordinator writes
// BuildEvent lines (diagnostics, messages, artifacts) to standard output and exits 0 when the build succeeded, 1 when
// it failed (the reasons were reported), 2 when the request was not one. The end of standard input before the build
// is done means the task is gone: the build is cancelled.
using System.Text.Json;
using DistBuild.Coordinator.Build;
using DistBuild.Coordinator.Relay;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Diagnostics;

BuildRequest request;
try
{
    request = BuildRequest.Decode(await Console.In.ReadLineAsync() ?? throw new JsonException("standard input ended before the request"));
}
catch (JsonException e)
{
    Console.Error.WriteLine($"distbuild-coordinator: expected a build request as a JSON line on standard input ({e.Message})");
    return 2;
}

using var cancellation = new CancellationTokenSource();
_ = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync() is { } command)
    {
        if (command == BuildRequest.CancelCommand)
            break;
    }
    cancellation.Cancel();
});

var log = new EventWriter(new StreamWriter(Console.OpenStandardOutput()), request.LeastImportantMessage);
try
{
    return await new CargoBuild(request, log).RunAsync(cancellation.Token) ? 0 : 1;
}
catch (Exception e)
{
    // A build must never end in a stack trace MSBuild shows as the error: one line, the details at low verbosity.
    log.Error(DiagnosticCodes.CargoFailed, null, $"DistBuild failed: {e.Message}");
    log.Detail(e.ToString());
    return 1;
}
