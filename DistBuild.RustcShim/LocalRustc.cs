using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DistBuild.RustcShim;

/// <summary>Runs rustc in place of the shim, with the shim's own standard handles, working directory and environment.</summary>
internal static partial class LocalRustc
{
    public static int Run(string rustc, string[] arguments)
    {
        if (!OperatingSystem.IsWindows())
            TryExec(rustc, arguments);

        // exec failed (or is not available): run rustc as a child that inherits our standard handles.
        try
        {
            var startInfo = new ProcessStartInfo(rustc) { UseShellExecute = false };
            foreach (var argument in arguments)
                startInfo.ArgumentList.Add(argument);
            using var process = Process.Start(startInfo)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: distbuild: could not run {rustc}: {e.Message}");
            return 1;
        }
    }

    /// <summary>Replaces this process with rustc, so signals, stdin and exit status are rustc's own. Returns only on failure.</summary>
    private static void TryExec(string rustc, string[] arguments)
    {
        var argv = new IntPtr[arguments.Length + 2];
        try
        {
            argv[0] = Marshal.StringToCoTaskMemUTF8(rustc);
            for (var i = 0; i < arguments.Length; i++)
                argv[i + 1] = Marshal.StringToCoTaskMemUTF8(arguments[i]);
            execvp(argv[0], argv);
        }
        finally
        {
            foreach (var pointer in argv)
                Marshal.FreeCoTaskMem(pointer);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int execvp(IntPtr file, [In] IntPtr[] argv);
}
