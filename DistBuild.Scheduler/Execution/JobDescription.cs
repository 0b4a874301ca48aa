using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Scheduler.Execution;

/// <summary>What a job compiles, for people: `rustc CRATE (TYPE)`, from the rustc arguments of its Command.</summary>
public static class JobDescription
{
    public static string Of(Command command)
    {
        var arguments = command.Arguments;
        string? crate = null;
        string? type = null;
        string? source = null;
        for (var i = 1; i < arguments.Count; i++)
        {
            if (Value(arguments, ref i, "--crate-name") is { } name)
                crate ??= name;
            else if (Value(arguments, ref i, "--crate-type") is { } kind)
                type ??= kind;
            else if (source is null && arguments[i].EndsWith(".rs", StringComparison.Ordinal) && !arguments[i].StartsWith('-'))
                source = Path.GetFileName(arguments[i]);
        }
        return $"rustc {crate ?? source ?? "?"} ({type ?? "bin"})";
    }

    /// <summary>The value of `--flag VALUE` or `--flag=VALUE` at position <paramref name="i"/> (advancing past it), else null.</summary>
    private static string? Value(IList<string> arguments, ref int i, string flag)
    {
        var argument = arguments[i];
        if (argument == flag && i + 1 < arguments.Count)
            return arguments[++i];
        if (argument.StartsWith(flag + "=", StringComparison.Ordinal))
            return argument[(flag.Length + 1)..];
        return null;
    }
}
