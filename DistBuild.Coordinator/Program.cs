// distbuild-coordinator: serves the rustc shims of one cargo run for the DistBuildCargoBuild task that started it.
// The task and this process speak CoordinatorMessages' line protocol: settings, then commands, on standard input;
// events on standard output. The end of standard input (the task finished, or died) makes it finish and exit.
using System.Text.Json;
using DistBuild.Coordinator.Compilation;
using DistBuild.Coordinator.Relay;
using DistBuild.Protocol.Coordination;

var events = new EventWriter(new StreamWriter(Console.OpenStandardOutput()));
WarmUp();

CoordinatorSettings settings;
try
{
    settings = CoordinatorMessages.DecodeSettings(await Console.In.ReadLineAsync() ?? throw new JsonException("standard input ended before the settings"));
}
catch (JsonException e)
{
    Console.Error.WriteLine($"distbuild-coordinator: expected the settings as a JSON line on standard input ({e.Message})");
    return 2;
}

var coordinator = new RustcCoordinator(settings, events);
try
{
    try
    {
        await coordinator.StartAsync(CancellationToken.None);
    }
    catch (SchedulerNotReapiException e)
    {
        events.Write(new CoordinatorEvent(CoordinatorEventKinds.SchedulerNotReapi, e.Message));
        return 3;
    }
    catch (SchedulerUnreachableException e)
    {
        events.Write(new CoordinatorEvent(CoordinatorEventKinds.SchedulerUnreachable, e.Message));
        return 3;
    }
    events.Write(new CoordinatorEvent(CoordinatorEventKinds.Ready, SocketPath: coordinator.SocketPath));

    while (await Console.In.ReadLineAsync() is { } command)
    {
        if (command == CoordinatorMessages.CancelCommand)
            coordinator.Cancel();
    }
}
finally
{
    await coordinator.DisposeAsync();
}

foreach (var invocation in coordinator.Invocations)
    events.Write(new CoordinatorEvent(CoordinatorEventKinds.Compiled, Invocation: invocation));
return 0;

// The task starts this process before it knows the scheduler and sends the settings once it does. Loading and
// initialising the JSON, socket and file code costs a fresh runtime about 90 ms; done here, it overlaps that wait
// instead of delaying every build, a no-op included, by that much.
static void WarmUp()
{
    CoordinatorMessages.DecodeEvent(CoordinatorMessages.Encode(new CoordinatorEvent(CoordinatorEventKinds.Detail, "warm-up")));
    CoordinatorMessages.DecodeSettings(CoordinatorMessages.Encode(new CoordinatorSettings("http://127.0.0.1:1", "", null, false, null)));
    using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
}
