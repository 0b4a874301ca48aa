// Stand-in while DistBuild.Tasks/Compilation/ is being written (same public surface). DistBuild.Tasks.csproj drops
// each stand-in file as soon as Compilation/ has a file of the same name, so the real types replace it unedited.
namespace DistBuild.Tasks.Compilation;

public sealed record CoordinatorSettings(string SchedulerUrl, string InstanceName, string? Token, bool LocalFallback, TimeSpan? JobTimeout);
