namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// The outputs of a compile that may share their inode with the blob in the scheduler's CAS directory on this machine
/// (a hard link instead of a copy): files that only rustc and cargo read, and that rustc replaces with a new file when
/// it writes them again (a library's .rlib and .rmeta, a proc macro's .so, a build script's executable). Everything
/// else is copied. rustc rewrites a .d file in place, and binaries and native libraries are what users strip or patch:
/// GNU strip writes into the inode of a file that has more than one link, which through a link would be the blob the
/// cache serves.
/// </summary>
public static class ShareableOutputs
{
    public static IReadOnlySet<string> Of(RustcInvocation invocation)
    {
        var shareable = new HashSet<string>(StringComparer.Ordinal);
        if (invocation.OutDir is null)
            return shareable;
        var outDir = invocation.Absolute(invocation.OutDir);
        var stem = invocation.OutputStem;
        // A Rust library's, whatever else the crate also is (a cdylib's .so is still copied).
        if (invocation.CrateTypes.Any(t => t is "lib" or "rlib" or "dylib"))
        {
            shareable.Add(Path.Combine(outDir, $"lib{stem}.rlib"));
            shareable.Add(Path.Combine(outDir, $"lib{stem}.rmeta"));
        }
        // A proc macro is a crate of that one type, loaded by rustc alone.
        if (invocation.CrateTypes.SequenceEqual(["proc-macro"]))
            shareable.Add(Path.Combine(outDir, $"lib{stem}.so"));
        // cargo runs a build script from its own folder under target/*/build and nothing else does.
        if (invocation.IsBuildScript)
            shareable.Add(Path.Combine(outDir, stem));
        return shareable;
    }
}
