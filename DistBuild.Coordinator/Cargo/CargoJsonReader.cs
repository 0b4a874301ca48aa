using System.Text;
using System.Text.Json;
using DistBuild.Protocol.Diagnostics;

namespace DistBuild.Coordinator.Cargo;

/// <summary>
/// Reads cargo's JSON message lines (`--message-format=json`). rustc diagnostics become MSBuild diagnostics with
/// full paths: cargo runs rustc from the workspace root, so a span's file name is relative to that root, which is
/// the package's manifest directory or one of its parents.
/// </summary>
public static class CargoJsonReader
{
    /// <summary>Parses one stdout line; null for lines DistBuild ignores (and for non-JSON text).</summary>
    public static CargoMessage? Parse(string line)
    {
        if (line.Length == 0 || line[0] != '{')
            return null;
        // Most lines of a build are artifacts of rlibs and build scripts, which DistBuild does not act on. Parsing them
        // all made System.Text.Json hot enough in MSBuild's process to be JIT-compiled twice, while rustc waits for
        // the cores; a raw-text check skips them (quotes inside JSON strings are escaped, so it cannot match text).
        if (line.Contains("\"reason\":\"compiler-artifact\"", StringComparison.Ordinal) && !RustArtifacts.MayNameSelectedKind(line))
            return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            return GetString(root, "reason") switch
            {
                "compiler-message" => ParseCompilerMessage(root),
                "compiler-artifact" => ParseArtifact(root),
                "build-finished" => new BuildFinishedMessage(root.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True),
                _ => null,
            };
        }
    }

    private static CompilerDiagnosticMessage? ParseCompilerMessage(JsonElement root)
    {
        if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
            return null;
        var level = GetString(message, "level") ?? "";
        var text = GetString(message, "message") ?? "";
        var rendered = GetString(message, "rendered");
        var severity = level switch
        {
            "error" or "error: internal compiler error" => DiagnosticSeverity.Error,
            "warning" => DiagnosticSeverity.Warning,
            _ => DiagnosticSeverity.Message,
        };
        var spans = message.TryGetProperty("spans", out var s) && s.ValueKind == JsonValueKind.Array ? s : default;
        var hasSpans = spans.ValueKind == JsonValueKind.Array && spans.GetArrayLength() > 0;

        // rustc's closing summaries ("aborting due to 2 previous errors", "3 warnings emitted", "For more
        // information about this error…") repeat what the individual diagnostics already said.
        if (!hasSpans && (level == "failure-note" || IsSummary(text)))
            return null;

        string? code = null;
        if (message.TryGetProperty("code", out var codeElement) && codeElement.ValueKind == JsonValueKind.Object)
            code = GetString(codeElement, "code");

        string? file = null;
        int line = 0, column = 0, endLine = 0, endColumn = 0;
        var fullMessage = new StringBuilder(text);
        if (hasSpans && FindPrimarySpan(spans) is { } primary)
        {
            var fileName = GetString(primary, "file_name");
            if (!string.IsNullOrEmpty(fileName))
                file = ResolveSourcePath(fileName!, GetString(root, "manifest_path"));
            line = GetInt(primary, "line_start");
            column = GetInt(primary, "column_start");
            endLine = GetInt(primary, "line_end");
            endColumn = GetInt(primary, "column_end");
            var label = GetString(primary, "label");
            if (!string.IsNullOrWhiteSpace(label))
                fullMessage.Append(": ").Append(label);
        }
        if (file is null && GetString(root, "manifest_path") is { } manifest)
            file = manifest;

        var diagnostic = new BuildDiagnostic(severity, "rustc", code, code, file, line, column, endLine, endColumn, fullMessage.ToString());
        return new CompilerDiagnosticMessage(diagnostic, rendered);
    }

    private static CompilerArtifactMessage? ParseArtifact(JsonElement root)
    {
        if (!root.TryGetProperty("target", out var target))
            return null;
        var packageId = GetString(root, "package_id") ?? "";
        return new CompilerArtifactMessage(
            PackageName(packageId),
            GetString(target, "name") ?? "",
            GetStrings(target, "kind"),
            GetStrings(root, "filenames"),
            GetString(root, "executable"),
            root.TryGetProperty("fresh", out var fresh) && fresh.ValueKind == JsonValueKind.True);
    }

    /// <summary>
    /// A span's file name as a full path: absolute names (registry crates) stay; relative ones are relative to the
    /// workspace root, found by walking up from the package's directory to the first directory that holds the file.
    /// </summary>
    public static string ResolveSourcePath(string fileName, string? manifestPath)
    {
        if (Path.IsPathRooted(fileName))
            return Path.GetFullPath(fileName);
        var packageDirectory = manifestPath is null ? null : Path.GetDirectoryName(Path.GetFullPath(manifestPath));
        for (var directory = packageDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
        {
            var candidate = Path.Combine(directory, fileName);
            if (File.Exists(candidate))
                return Path.GetFullPath(candidate);
        }
        return Path.GetFullPath(Path.Combine(packageDirectory ?? Directory.GetCurrentDirectory(), fileName));
    }

    private static bool IsSummary(string text) =>
        text.StartsWith("aborting due to", StringComparison.Ordinal)
        || text.EndsWith("warning emitted", StringComparison.Ordinal)
        || text.EndsWith("warnings emitted", StringComparison.Ordinal);

    private static JsonElement? FindPrimarySpan(JsonElement spans)
    {
        JsonElement? first = null;
        foreach (var span in spans.EnumerateArray())
        {
            first ??= span;
            if (span.TryGetProperty("is_primary", out var primary) && primary.ValueKind == JsonValueKind.True)
                return span;
        }
        return first;
    }

    /// <summary>
    /// The package name in a package id: "path+file:///ws/crates/hello#0.1.0" (name = last path segment) or
    /// "registry+https://…#serde@1.0.152".
    /// </summary>
    public static string PackageName(string packageId)
    {
        var hash = packageId.LastIndexOf('#');
        if (hash < 0)
            return packageId.Split(' ')[0];
        var fragment = packageId[(hash + 1)..];
        var at = fragment.IndexOf('@');
        if (at > 0)
            return fragment[..at];
        var url = packageId[..hash].TrimEnd('/');
        return url[(url.LastIndexOf('/') + 1)..];
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int GetInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : 0;

    private static IReadOnlyList<string> GetStrings(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
            return [];
        return value.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.String).Select(item => item.GetString()!).ToList();
    }
}
