using DistBuild.Worker.Hosting;
using DistBuild.Worker.Jobs;
using DistBuild.Worker.Toolchains;

// Configuration: appsettings.json, environment, `--scheduler/--id/--port` and `--Worker:X=Y`.
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, WorkerCommandLine.SwitchMappings);
var settings = WorkerSettings.Read(builder.Configuration);

// The toolchain this worker advertises and compiles with.
var (toolchain, rustcError) = await RustcProbe.ProbeAsync(settings.Rustc, CancellationToken.None);

// Services: Kestrel on the worker's port, registration and heartbeats, job slots, sandboxes, blob cache.
builder.WebHost.ListenForScheduler(settings);
var settingsError = WorkerSettings.Validate(settings);
if (settingsError is null && toolchain is not null)
    builder.Services.AddWorker(settings, toolchain);
var app = builder.Build();

if (settingsError is not null)
{
    app.Logger.LogCritical("Cannot start the worker: {Error}", settingsError);
    return 2;
}
if (toolchain is null)
{
    app.Logger.LogCritical("Cannot start the worker: {Error}", rustcError);
    return 1;
}
app.Logger.LogInformation("Worker {WorkerId}: {Toolchain} at {Rustc}, {Slots} slots, work directory {WorkDirectory}",
    settings.Id, toolchain.Identity, toolchain.RustcPath, settings.Slots, settings.WorkDirectory);

// Endpoints: the scheduler pushes jobs through distbuild.v1.WorkerService.
app.MapGrpcService<WorkerJobService>();

await app.RunAsync();
return 0;
