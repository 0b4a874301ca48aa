// Stand-in while DistBuild.Tasks/Compilation/ is being written (same public surface). DistBuild.Tasks.csproj drops
// each stand-in file as soon as Compilation/ has a file of the same name, so the real types replace it unedited.
namespace DistBuild.Tasks.Compilation;

public sealed record InvocationRecord(string Crate, string CrateTypes, string Kind, string? Worker, int ExitCode, double Seconds, int Attempts, string? Note);
