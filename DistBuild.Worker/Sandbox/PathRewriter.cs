namespace DistBuild.Worker.Sandbox;

/// <summary>
/// Points a client's absolute paths into the sandbox. cargo passes absolute `--out-dir`, `-L` and `--extern`
/// paths and absolute environment values (OUT_DIR, CARGO_MANIFEST_DIR); the input tree holds those files at
/// the same path under the sandbox root. A path is rewritten only when it exists there, so absolute paths that
/// are not inputs (a linker, `/dev/null`) keep their meaning on the worker.
/// </summary>
public sealed class PathRewriter
{
    private const string RemapFlag = "--remap-path-prefix";
    private readonly string _root;
    private readonly Func<string, bool> _existsInSandbox;

    /// <param name="root">The sandbox root, absolute, without a trailing '/'.</param>
    /// <param name="existsInSandbox">Whether a full path exists; the file system unless a test says otherwise.</param>
    public PathRewriter(string root, Func<string, bool>? existsInSandbox = null)
    {
        _root = root.TrimEnd('/');
        _existsInSandbox = existsInSandbox ?? (path => File.Exists(path) || System.IO.Directory.Exists(path));
    }

    /// <summary>
    /// Rewrites each argument, then adds `--remap-path-prefix=ROOT=` so paths rustc embeds (debug info, panics,
    /// diagnostics) read as the client's. rustc gives the last matching remap precedence, so the client's own
    /// remaps are repeated for their sandbox form after ours.
    /// </summary>
    public List<string> RewriteArguments(IReadOnlyList<string> arguments)
    {
        var rewritten = new List<string>(arguments.Count + 2);
        var clientRemaps = new List<string>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.StartsWith(RemapFlag + "=", StringComparison.Ordinal))
                clientRemaps.Add(argument[(RemapFlag.Length + 1)..]);
            else if (argument == RemapFlag && i + 1 < arguments.Count)
            {
                clientRemaps.Add(arguments[i + 1]);
                rewritten.Add(argument);
                rewritten.Add(arguments[++i]);
                continue;
            }
            rewritten.Add(RewriteValue(argument));
        }
        rewritten.Add($"{RemapFlag}={_root}=");
        foreach (var remap in clientRemaps)
        {
            if (remap.StartsWith('/'))
                rewritten.Add($"{RemapFlag}={_root}{remap}");
        }
        return rewritten;
    }

    /// <summary>A whole absolute path, or the part after the first '=' (`dependency=/…`, `core=/…/libcore.rlib`).</summary>
    public string RewriteValue(string value)
    {
        if (IsRewritable(value))
            return _root + value;
        var equals = value.IndexOf('=');
        if (equals >= 0 && IsRewritable(value[(equals + 1)..]))
            return value[..(equals + 1)] + _root + value[(equals + 1)..];
        return value;
    }

    private bool IsRewritable(string path) =>
        path.Length > 1 && path[0] == '/' && !path.StartsWith(_root + "/", StringComparison.Ordinal) && _existsInSandbox(_root + path);
}
