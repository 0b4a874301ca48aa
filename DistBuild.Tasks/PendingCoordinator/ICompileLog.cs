// Stand-in while DistBuild.Tasks/Compilation/ is being written (same public surface). DistBuild.Tasks.csproj drops
// each stand-in file as soon as Compilation/ has a file of the same name, so the real types replace it unedited.
namespace DistBuild.Tasks.Compilation;

public interface ICompileLog
{
    void Progress(string message);
    void Detail(string message);
    void Warning(string code, string message);
}
