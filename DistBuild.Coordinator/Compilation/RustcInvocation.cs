namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// What a rustc command line says about the compile it asks for: the crate, what it emits and where, and what it
/// reads (source file, --extern artifacts, -L directories). Parsed from cargo's arguments without running rustc.
/// </summary>
public sealed class RustcInvocation
{
    private static readonly HashSet<string> RemoteCrateTypes = ["lib", "rlib", "proc-macro", "bin", "cdylib", "staticlib", "dylib"];

    private RustcInvocation(IReadOnlyList<string> arguments, string workingDirectory) =>
        (Arguments, WorkingDirectory) = (arguments, workingDirectory);

    /// <summary>The arguments after the rustc path, unchanged.</summary>
    public IReadOnlyList<string> Arguments { get; }
    public string WorkingDirectory { get; }
    public string? CrateName { get; private set; }
    public IReadOnlyList<string> CrateTypes { get; private set; } = [];
    public string? Edition { get; private set; }
    /// <summary>The source file as given (cargo passes it relative to the working directory).</summary>
    public string? SourceFile { get; private set; }
    public string? OutDir { get; private set; }
    public string? OutputFile { get; private set; }
    public string ExtraFilename { get; private set; } = "";
    /// <summary>Emit kinds (dep-info, metadata, link…) with the explicit path of a KIND=PATH form, or null.</summary>
    public IReadOnlyList<(string Kind, string? Path)> Emit { get; private set; } = [];
    /// <summary>--extern NAME[=PATH]; sysroot crates such as proc_macro come without a path.</summary>
    public IReadOnlyList<(string Name, string? Path)> Externs { get; private set; } = [];
    /// <summary>-L [KIND=]PATH, with KIND "all" when none is given.</summary>
    public IReadOnlyList<(string Kind, string Path)> SearchPaths { get; private set; } = [];
    public bool ReadsStdin { get; private set; }
    public bool PrintsInformation { get; private set; }
    /// <summary>A --print KIND=PATH: rustc writes that information to a file instead of stdout.</summary>
    public bool PrintsToFile { get; private set; }
    /// <summary>--target as given: a target name, or the path of a target specification file.</summary>
    public string? Target { get; private set; }
    public bool IsVersionQuery { get; private set; }
    /// <summary>An @file argument: the real arguments are in a file this parser does not read.</summary>
    public bool UsesArgumentFile { get; private set; }
    /// <summary>--test: a test harness, linked like a binary.</summary>
    public bool IsTest { get; private set; }
    /// <summary>--json with "artifacts": rustc announces each artifact on stderr as it is written (cargo pipelines on the .rmeta).</summary>
    public bool NotifiesArtifacts { get; private set; }

    public bool IsBuildScript => CrateName == "build_script_build";

    /// <summary>True for crates whose artifact other crates link against, and so get a dependency sidecar.</summary>
    public bool IsLibrary => CrateTypes.Any(t => t is "lib" or "rlib" or "proc-macro" or "dylib");

    /// <summary>
    /// True when rustc links this crate with its dependencies' code (an executable, a shared or static library, a proc
    /// macro, a test), so it reads their .rlib files; an rlib itself needs only their metadata, which cargo hands it
    /// (as .rmeta) before their code generation is done.
    /// </summary>
    public bool LinksDependencies => IsTest || CrateTypes.Any(t => t is "bin" or "dylib" or "cdylib" or "staticlib" or "proc-macro");

    /// <summary>
    /// A --print query whose answer depends only on rustc, its arguments and environment, as cargo's probes are: no
    /// source file, no argument file or target specification file (their contents would be inputs too), and nothing
    /// written. Its stdin, when it reads it, must be empty for the answer to be reused (the caller knows that).
    /// </summary>
    public bool IsSelfContainedQuery =>
        PrintsInformation && !PrintsToFile && !UsesArgumentFile && SourceFile is null && OutDir is null && OutputFile is null && Emit.Count == 0
        && !(Target?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>"lib", "proc-macro", "bin"…, joined with '+' when there are several.</summary>
    public string CrateTypeList => CrateTypes.Count == 0 ? "lib" : string.Join('+', CrateTypes);

    /// <summary>The file stem of the crate's outputs: crate name plus -C extra-filename.</summary>
    public string OutputStem => CrateName + ExtraFilename;

    /// <summary>
    /// Why this call must run on this machine (a probe that reads stdin or only prints), or null when it is a
    /// compile that can be sent to the scheduler.
    /// </summary>
    public string? LocalReason
    {
        get
        {
            if (IsVersionQuery)
                return "version query";
            if (PrintsInformation)
                return "--print query";
            if (ReadsStdin)
                return "source from stdin";
            if (UsesArgumentFile)
                return "arguments in an @file";
            if (SourceFile is null)
                return "no source file";
            if (CrateName is null)
                return "no --crate-name";
            if (OutDir is null && OutputFile is null)
                return "no --out-dir or -o";
            var unsupported = CrateTypes.FirstOrDefault(t => !RemoteCrateTypes.Contains(t));
            if (unsupported is not null)
                return $"crate type {unsupported}";
            return null;
        }
    }

    public static RustcInvocation Parse(IReadOnlyList<string> arguments, string workingDirectory)
    {
        var invocation = new RustcInvocation(arguments, workingDirectory);
        var crateTypes = new List<string>();
        var emit = new List<(string, string?)>();
        var externs = new List<(string, string?)>();
        var searchPaths = new List<(string, string)>();

        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            string? Value(string name)
            {
                // Both "--name value" and "--name=value" forms; -C and -L also come glued ("-Cfoo=bar", "-Lpath").
                if (argument == name)
                    return i + 1 < arguments.Count ? arguments[++i] : null;
                if (name.StartsWith("--", StringComparison.Ordinal) && argument.StartsWith(name + "=", StringComparison.Ordinal))
                    return argument[(name.Length + 1)..];
                if (name.Length == 2 && argument.Length > 2 && argument.StartsWith(name, StringComparison.Ordinal))
                    return argument[2..];
                return null;
            }

            if (argument is "-vV" or "-V" or "--version" || (argument == "-v" && arguments.Contains("-V")))
                invocation.IsVersionQuery = true;
            else if (argument == "-")
                invocation.ReadsStdin = true;
            else if (argument.StartsWith('@'))
                invocation.UsesArgumentFile = true;
            else if (argument == "--test")
                invocation.IsTest = true;
            else if (argument == "--print" || argument.StartsWith("--print=", StringComparison.Ordinal))
            {
                invocation.PrintsInformation = true;
                if (Value("--print") is { } kind && kind.Contains('='))
                    invocation.PrintsToFile = true;
            }
            else if (Value("--crate-name") is { } crateName)
                invocation.CrateName = crateName;
            else if (Value("--crate-type") is { } crateType)
                crateTypes.AddRange(crateType.Split(',', StringSplitOptions.RemoveEmptyEntries));
            else if (Value("--edition") is { } edition)
                invocation.Edition = edition;
            else if (Value("--target") is { } target)
                invocation.Target = target;
            else if (Value("--json") is { } json)
                invocation.NotifiesArtifacts |= json.Split(',').Contains("artifacts");
            else if (Value("--emit") is { } kinds)
            {
                foreach (var kind in kinds.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var equals = kind.IndexOf('=');
                    emit.Add(equals < 0 ? (kind, null) : (kind[..equals], kind[(equals + 1)..]));
                }
            }
            else if (Value("--out-dir") is { } outDir)
                invocation.OutDir = outDir;
            else if (Value("-o") is { } outputFile)
                invocation.OutputFile = outputFile;
            else if (Value("--extern") is { } external)
                externs.Add(ParseExtern(external));
            else if (Value("-L") is { } searchPath)
            {
                var equals = searchPath.IndexOf('=');
                searchPaths.Add(equals < 0 ? ("all", searchPath) : (searchPath[..equals], searchPath[(equals + 1)..]));
            }
            else if (Value("-C") is { } codegen)
            {
                if (codegen.StartsWith("extra-filename=", StringComparison.Ordinal))
                    invocation.ExtraFilename = codegen["extra-filename=".Length..];
            }
            else if (Value("--codegen") is { } longCodegen)
            {
                if (longCodegen.StartsWith("extra-filename=", StringComparison.Ordinal))
                    invocation.ExtraFilename = longCodegen["extra-filename=".Length..];
            }
            else if (TakesValue(argument))
                i++;
            else if (!argument.StartsWith('-') && invocation.SourceFile is null)
                invocation.SourceFile = argument;
        }

        invocation.CrateTypes = crateTypes;
        invocation.Emit = emit;
        invocation.Externs = externs;
        invocation.SearchPaths = searchPaths;
        return invocation;
    }

    /// <summary>The absolute form of a path from the command line (cargo gives sources relative to the working directory).</summary>
    public string Absolute(string path) => Path.GetFullPath(path, WorkingDirectory);

    /// <summary>"--extern [OPTIONS:]NAME[=PATH]", e.g. "noprelude:alloc=/…/liballoc.rlib" or "proc_macro".</summary>
    private static (string Name, string? Path) ParseExtern(string value)
    {
        var equals = value.IndexOf('=');
        var name = equals < 0 ? value : value[..equals];
        var colon = name.LastIndexOf(':');
        if (colon >= 0)
            name = name[(colon + 1)..];
        return (name, equals < 0 ? null : value[(equals + 1)..]);
    }

    /// <summary>Flags whose value is a separate argument, so that value is not mistaken for the source file.</summary>
    private static bool TakesValue(string argument) => argument is
        "--cfg" or "--check-cfg" or "--target" or "--cap-lints" or "--error-format" or "--json" or "--color" or "--diagnostic-width"
        or "-W" or "-A" or "-D" or "-F" or "--warn" or "--allow" or "--deny" or "--forbid" or "--force-warn"
        or "-l" or "-Z" or "--remap-path-prefix" or "--sysroot" or "--explain" or "--crate-attr" or "--env-set"
        or "--out-dir" or "-o" or "--extern" or "-L" or "-C" or "--codegen" or "--edition" or "--crate-type" or "--crate-name" or "--emit";
}
