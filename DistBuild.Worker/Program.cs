using DistBuild.Worker.Hosting;
using DistBuild.Worker.Isolation;
using DistBuild.Worker.Jobs;
using DistBuild.Worker.Toolchains;

// Configuration: appsettings.json, environment, `--scheduler/--id/--port` and `--Worker:X=Y`.
// The content root is the install directory, so appsettings.json is found whatever the working directory (the
// embedded worker starts in the user's project directory).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, WorkerCommandLine.SwitchMappings);
var (settings, settingsError) = WorkerSettings.TryRead(builder.Configuration);

// The toolchain this worker advertises and compiles with, and the sandbox its jobs run in: probed side by side, since
// each runs a program and an embedded default's first build waits for this worker.
var rustcProbe = RustcProbe.ProbeAsync(settings.Rustc, CancellationToken.None);
var sandboxProbe = settingsError is null
    ? SandboxProbe.ChooseAsync(settings.Sandbox, settings.Bubblewrap, settings.WorkDirectory!)
    : Task.FromResult<(JobIsolation?, string?, string?)>((null, null, null));
var (toolchain, rustcError) = await rustcProbe;
var (isolation, sandboxError, sandboxWarning) = await sandboxProbe;

// Services: Kestrel on the worker's port (https with Kestrel:Certificates:Default), registration and heartbeats,
// job slots, sandboxes, blob cache.
var (certificate, certificateError) = WorkerServiceCollectionExtensions.TryServerCertificate(builder.Configuration);
settingsError ??= certificateError;
builder.WebHost.ListenForScheduler(settings, certificate);
if (settingsError is null && toolchain is not null && isolation is not null)
    builder.Services.AddWorker(settings, toolchain, isolation);
// A start-up refusal goes straight to stderr, as the scheduler's does: the console logger writes from a queue
// that a process exiting under load can leave unflushed, and then the reason would be lost.
if ((settingsError ?? sandboxError) is { } error)
{
    Console.Error.WriteLine($"The worker cannot start: {error}");
    return 2;
}
if (toolchain is null)
{
    Console.Error.WriteLine($"The worker cannot start: {rustcError}");
    return 1;
}
await using var app = builder.Build();
if (sandboxWarning is not null)
    app.Logger.LogWarning("{Warning}", sandboxWarning);
app.Logger.LogInformation("Worker {WorkerId}: {Toolchain} at {Rustc}, {Slots} slots, work directory {WorkDirectory}; jobs {Sandbox}",
    settings.Id, toolchain.Identity, toolchain.RustcPath, settings.Slots, settings.WorkDirectory, isolation!.Description);

// Endpoints: the scheduler pushes jobs through distbuild.v1.WorkerService.
app.MapGrpcService<WorkerJobService>();

try
{
    await app.RunAsync();
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    Console.Error.WriteLine($"The worker cannot start: {e.Message} Choose another --port, or stop what listens there.");
    return 2;
}
return 0;
