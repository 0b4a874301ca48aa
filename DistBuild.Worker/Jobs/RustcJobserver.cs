using System.Runtime.InteropServices;

namespace DistBuild.Worker.Jobs;

/// <summary>
/// A GNU make jobserver shared by the worker's rustc processes, as cargo gives one to the rustc it runs: a named pipe
/// holding one token fewer than the worker has slots, named to rustc by CARGO_MAKEFLAGS. Every rustc owns one implicit
/// token and takes more from the pipe for parallel code generation, so the worker's compiles together run about as
/// many threads as it has slots, and a compile alone on the worker may use them all. Without it each rustc makes its
/// own jobserver of 32 tokens: two jobs on a 2-slot worker ran up to 32 code generation threads on 2 cores, and the
/// worker's own threads (uploads, reports) waited behind them.
/// </summary>
/// <remarks>
/// A rustc that is killed while it holds tokens takes them along; <see cref="Renew"/> then replaces the pipe with a
/// full one. Compiles already running keep the pipe they opened.
/// </remarks>
public sealed partial class RustcJobserver : IDisposable
{
    private readonly string _directory;
    private readonly Lock _lock = new();
    private FileStream? _pipe;
    private string _path = "";
    private int _generation;

    /// <summary>Where a worker keeps its pipes: a folder of its own, which the sandbox makes visible to rustc.</summary>
    public static string DirectoryIn(string workDirectory) => Path.Combine(workDirectory, "jobserver");

    /// <param name="directory">Where the pipes live (<see cref="DirectoryIn"/>).</param>
    public RustcJobserver(string directory, int slots)
    {
        _directory = directory;
        Tokens = Math.Max(0, slots - 1);
        // Pipes of an earlier run of this worker belong to no compile any more.
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        Renew();
    }

    /// <summary>Tokens in a full pipe: the worker's slots less the one each rustc owns.</summary>
    public int Tokens { get; }

    /// <summary>The pipe new compiles get.</summary>
    public string PipePath
    {
        get
        {
            lock (_lock)
                return _path;
        }
    }

    /// <summary>CARGO_MAKEFLAGS for a compile: the jobserver crate in rustc reads `--jobserver-auth=fifo:PATH`.</summary>
    public string MakeFlags => $"-j{Tokens + 1} --jobserver-auth=fifo:{PipePath}";

    /// <summary>Puts a full pipe in place of the current one (after a compile that may have died holding tokens).</summary>
    public void Renew()
    {
        lock (_lock)
        {
            var path = Path.Combine(_directory, $"jobserver-{++_generation}");
            if (MakeFifo(path, 0x180 /* 0600 */) != 0)
                throw new IOException($"could not create the jobserver pipe {path}: {Marshal.GetLastPInvokeErrorMessage()}");
            // Read-write, so the pipe never reports end of file and keeps its tokens while no compile has it open.
            var pipe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
            pipe.Write(Enumerable.Repeat((byte)'+', Tokens).ToArray());
            _pipe?.Dispose();
            _pipe = pipe;
            _path = path;
        }
    }

    public void Dispose()
    {
        lock (_lock)
            _pipe?.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MakeFifo(string path, uint mode);
}
