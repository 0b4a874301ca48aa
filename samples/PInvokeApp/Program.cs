using System.Runtime.InteropServices;

// Prints "42 hello from native-lib 000100": the sum, the greeting and the version, all computed by Rust.
var sum = NativeLib.distbuild_add(40, 2);
var greeting = Marshal.PtrToStringUTF8(NativeLib.distbuild_greeting());
var version = NativeLib.distbuild_version();
Console.WriteLine($"{sum} {greeting} {version:x6}");

/// <summary>The C ABI of samples/native-lib (libnative_lib.so), see samples/README.md.</summary>
internal static class NativeLib
{
    [DllImport("native_lib")]
    internal static extern int distbuild_add(int a, int b);

    // The string is static and owned by the library: return a pointer so the marshaller does not free it.
    [DllImport("native_lib")]
    internal static extern IntPtr distbuild_greeting();

    [DllImport("native_lib")]
    internal static extern uint distbuild_version();
}
