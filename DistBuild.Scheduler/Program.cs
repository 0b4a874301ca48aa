using DistBuild.Scheduler;
using DistBuild.Scheduler.ActionCache;
using DistBuild.Scheduler.Admin;
using DistBuild.Scheduler.Capabilities;
using DistBuild.Scheduler.Cas;
using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Hosting;
using DistBuild.Scheduler.Security;
using DistBuild.Scheduler.Workers;

// The DistBuild scheduler: a REAPI v2 server (CAS, action cache, execution) that pushes rustc jobs to workers.
// appsettings.json is read from beside the program, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// Configuration: appsettings.json, then environment (Scheduler__X), then command line (--Scheduler:X=Y).
// Unusable settings are the operator's to fix: say which one, without a stack trace.
if ((SchedulerOptions.Check(builder.Configuration) ?? AuthOptions.Check(builder.Configuration)) is { } problem)
{
    Console.Error.WriteLine($"The scheduler cannot start: {problem}");
    return 2;
}
builder.Services.AddSchedulerOptions(builder.Configuration);
builder.Services.AddSchedulerAuth(builder.Configuration);
builder.WebHost.UseSchedulerKestrel();

// Services: the plain classes that hold the state, the loops that drive them, and gRPC.
builder.Services.AddSchedulerCore();
builder.Services.AddSchedulerGrpc();

var app = builder.Build();
app.LogAuthentication();

// Endpoints: the REAPI services clients call, then DistBuild's own worker and admin protocols.
app.MapGrpcService<CapabilitiesService>();
app.MapGrpcService<CasService>();
app.MapGrpcService<ByteStreamService>();
app.MapGrpcService<ActionCacheService>();
app.MapGrpcService<ExecutionService>();
app.MapGrpcService<OperationsService>();
app.MapGrpcService<WorkerRegistryService>();
app.MapGrpcService<AdminService>();

try
{
    app.Run();
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    Console.Error.WriteLine($"The scheduler cannot start: {e.Message} Choose another port in --urls, or stop what listens there.");
    return 2;
}
return 0;
