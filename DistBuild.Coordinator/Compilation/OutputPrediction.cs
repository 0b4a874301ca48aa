namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// Every file a compile may write, as absolute paths. REAPI only returns outputs that the action declared, and an
/// output that was not produced is simply absent, so the prediction errs on the side of naming too many.
/// </summary>
public static class OutputPrediction
{
    /// <summary>File name extensions rustc gives to the emit kinds other than link, for the -o form.</summary>
    private static readonly Dictionary<string, string> EmitExtensions = new(StringComparer.Ordinal)
    {
        ["dep-info"] = ".d",
        ["metadata"] = ".rmeta",
        ["asm"] = ".s",
        ["llvm-ir"] = ".ll",
        ["llvm-bc"] = ".bc",
        ["obj"] = ".o",
        ["mir"] = ".mir",
    };

    public static IReadOnlyList<string> Predict(RustcInvocation invocation)
    {
        var outputs = new SortedSet<string>(StringComparer.Ordinal);
        if (invocation.OutDir is not null)
        {
            var outDir = invocation.Absolute(invocation.OutDir);
            var stem = invocation.OutputStem;
            foreach (var name in new[] { $"lib{stem}.rlib", $"lib{stem}.rmeta", $"lib{stem}.so", $"lib{stem}.a", stem, $"{stem}.d" })
                outputs.Add(Path.Combine(outDir, name));
            foreach (var (kind, path) in invocation.Emit)
            {
                if (path is null && EmitExtensions.TryGetValue(kind, out var extension) && kind != "metadata")
                    outputs.Add(Path.Combine(outDir, stem + extension));
            }
        }
        if (invocation.OutputFile is not null)
        {
            var outputFile = invocation.Absolute(invocation.OutputFile);
            outputs.Add(outputFile);
            foreach (var extension in EmitExtensions.Values)
                outputs.Add(Path.ChangeExtension(outputFile, extension));
        }
        foreach (var (_, path) in invocation.Emit)
        {
            // "-" sends that output to stdout.
            if (path is not null && path != "-")
                outputs.Add(invocation.Absolute(path));
        }
        return outputs.ToList();
    }
}
