using System.Text;
using System.Text.RegularExpressions;
using DistBuild.Protocol.Diagnostics;

namespace DistBuild.Coordinator.Cargo;

/// <summary>
/// Turns cargo's own stderr (its errors and warnings, not rustc's, which come as JSON on stdout) into diagnostics.
/// cargo prints a message as a block: `error: HEAD`, then context lines (`  --> Cargo.toml:2:8`, a code frame,
/// `Caused by:` and indented causes) until the next block or a status line (`   Compiling x v0.1.0`).
/// Feed lines in order with <see cref="Add"/>; call <see cref="Flush"/> at the end.
/// </summary>
public sealed partial class CargoStderrReader(string workingDirectory, string manifestPath, Action<BuildDiagnostic> report)
{
    private readonly List<string> _block = [];
    private DiagnosticSeverity _blockSeverity;

    /// <summary>Set once rustc errors were reported, so cargo's "could not compile" summary does not repeat them.</summary>
    public bool CompilerErrorsReported { get; set; }

    /// <summary>Whether an error block was reported.</summary>
    public bool ErrorsReported { get; private set; }

    /// <summary>Handles one stderr line; returns false when the line is a status line the caller may show as progress.</summary>
    public bool Add(string rawLine)
    {
        var line = AnsiEscape().Replace(rawLine, "");
        if (line.StartsWith("error:", StringComparison.Ordinal) || line.StartsWith("error[", StringComparison.Ordinal))
        {
            Flush();
            _blockSeverity = DiagnosticSeverity.Error;
            _block.Add(line);
            return true;
        }
        if (line.StartsWith("warning:", StringComparison.Ordinal))
        {
            Flush();
            _blockSeverity = DiagnosticSeverity.Warning;
            _block.Add(line);
            return true;
        }
        if (StatusLine().IsMatch(line))
        {
            Flush();
            return false;
        }
        if (_block.Count > 0)
        {
            _block.Add(line);
            return true;
        }
        return false;
    }

    public void Flush()
    {
        if (_block.Count == 0)
            return;
        var lines = _block.ToList();
        _block.Clear();
        var head = lines[0][(lines[0].IndexOf(':') + 1)..].Trim();

        var severity = _blockSeverity;
        // cargo's closing lines after rustc errors ("could not compile `x` … due to 1 previous error", "build failed,
        // waiting for other jobs") add nothing to the rustc diagnostics already shown.
        if (head.StartsWith("build failed, waiting for other jobs", StringComparison.Ordinal)
            || (CompilerErrorsReported && head.StartsWith("could not compile", StringComparison.Ordinal)))
            severity = DiagnosticSeverity.Message;

        var message = new StringBuilder(head);
        string? file = null;
        int line = 0, column = 0;
        foreach (var context in lines.Skip(1))
        {
            var location = LocationLine().Match(context);
            if (location.Success)
            {
                file ??= Path.GetFullPath(Path.Combine(workingDirectory, location.Groups["file"].Value));
                if (line == 0)
                {
                    line = int.Parse(location.Groups["line"].Value);
                    column = int.Parse(location.Groups["column"].Value);
                }
                continue;
            }
            var trimmed = context.Trim();
            if (trimmed.Length == 0 || trimmed == "Caused by:" || CodeFrame().IsMatch(context))
                continue;
            var tomlPosition = TomlPosition().Match(trimmed);
            if (tomlPosition.Success && line == 0)
            {
                line = int.Parse(tomlPosition.Groups["line"].Value);
                column = int.Parse(tomlPosition.Groups["column"].Value);
            }
            message.Append(message[^1] == '.' || message[^1] == ':' ? " " : ": ").Append(trimmed);
        }
        file ??= MentionedFile(head) ?? lines.Skip(1).Select(MentionedFile).FirstOrDefault(path => path is not null) ?? manifestPath;

        if (severity == DiagnosticSeverity.Error && Advice(message.ToString()) is { } advice)
            message.Append(' ').Append(advice);

        if (severity == DiagnosticSeverity.Error)
            ErrorsReported = true;
        var code = severity == DiagnosticSeverity.Warning ? DiagnosticCodes.CargoWarning : DiagnosticCodes.CargoError;
        report(new BuildDiagnostic(severity, "cargo", code, null, file, line, column, 0, 0, message.ToString()));
    }

    /// <summary>What to do about the cargo errors whose own text does not say it.</summary>
    private static string? Advice(string message)
    {
        if (message.Contains("cyclic package dependency", StringComparison.Ordinal))
            return "DistBuild: remove the cycle from the [dependencies] of these Cargo.toml files; cargo cannot build crates that depend on each other.";
        if (message.Contains("--offline", StringComparison.Ordinal) || message.Contains("offline mode", StringComparison.Ordinal))
            return "DistBuild: cargo runs offline (DistBuildCargoOffline=true), so every dependency must already be in the local registry cache or vendored; " +
                "correct the crate's name or version, run `cargo fetch` once with network access, or set DistBuildCargoOffline=false.";
        return null;
    }

    /// <summary>The first back-quoted existing path in a cargo message: a manifest, or a package directory (then its Cargo.toml).</summary>
    private string? MentionedFile(string text)
    {
        foreach (Match quoted in Quoted().Matches(text))
        {
            var value = quoted.Groups[1].Value;
            if (!value.Contains('/'))
                continue;
            var path = Path.GetFullPath(Path.Combine(workingDirectory, value));
            if (File.Exists(path))
                return path;
            if (Directory.Exists(path) && File.Exists(Path.Combine(path, "Cargo.toml")))
                return Path.Combine(path, "Cargo.toml");
        }
        return null;
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"^\s{0,12}(Compiling|Checking|Finished|Running|Fresh|Blocking|Locking|Updating|Downloading|Downloaded|Adding|Packaging|Documenting|Building|Dirty)\s")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^\s*-->\s*(?<file>.+?):(?<line>\d+):(?<column>\d+)\s*$")]
    private static partial Regex LocationLine();

    [GeneratedRegex(@"^\s*(\d+\s*)?\|")]
    private static partial Regex CodeFrame();

    [GeneratedRegex(@"line (?<line>\d+), column (?<column>\d+)")]
    private static partial Regex TomlPosition();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Quoted();
}
