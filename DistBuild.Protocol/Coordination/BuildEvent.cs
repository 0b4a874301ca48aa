using System.Text.Json;
using DistBuild.Protocol.Diagnostics;

namespace DistBuild.Protocol.Coordination;

/// <summary>
/// One line the coordinator process writes to its standard output for the DistBuildCargoBuild task: something to log
/// or an artifact to return. The task relays each as it arrives and needs nothing else from the build.
/// </summary>
public abstract record BuildEvent
{
    // Hand-written JSON for the same reason as BuildRequest's: the task decodes these inside MSBuild's process.
    public string Encode() => JsonLine.Write(json =>
    {
        switch (this)
        {
            case DiagnosticEvent { Diagnostic: var d }:
                json.WriteString("event", "diagnostic");
                json.WriteString("severity", d.Severity.ToString());
                json.WriteString("subcategory", d.Subcategory);
                json.WriteString("code", d.Code);
                json.WriteString("helpKeyword", d.HelpKeyword);
                json.WriteString("file", d.File);
                json.WriteNumber("line", d.Line);
                json.WriteNumber("column", d.Column);
                json.WriteNumber("endLine", d.EndLine);
                json.WriteNumber("endColumn", d.EndColumn);
                json.WriteString("message", d.Message);
                break;
            case MessageEvent message:
                json.WriteString("event", "message");
                json.WriteString("importance", message.Importance.ToString());
                json.WriteString("text", message.Text);
                break;
            case ArtifactEvent artifact:
                json.WriteString("event", "artifact");
                json.WriteString("path", artifact.Path);
                json.WriteString("kind", artifact.Kind);
                json.WriteString("crate", artifact.Crate);
                json.WriteString("package", artifact.Package);
                json.WriteString("rustCrate", artifact.RustCrate);
                break;
        }
    });

    /// <summary>The event in a line; null when the line is not one (the task logs such lines as they are).</summary>
    public static BuildEvent? Decode(string line)
    {
        if (!line.StartsWith('{'))
            return null;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            return JsonLine.String(root, "event") switch
            {
                "diagnostic" when Severity(JsonLine.String(root, "severity")) is { } severity => new DiagnosticEvent(new BuildDiagnostic(
                    severity,
                    JsonLine.String(root, "subcategory") ?? "",
                    JsonLine.String(root, "code"),
                    JsonLine.String(root, "helpKeyword"),
                    JsonLine.String(root, "file"),
                    JsonLine.Int(root, "line"),
                    JsonLine.Int(root, "column"),
                    JsonLine.Int(root, "endLine"),
                    JsonLine.Int(root, "endColumn"),
                    JsonLine.String(root, "message") ?? "")),
                "message" when ImportanceNamed(JsonLine.String(root, "importance")) is { } importance => new MessageEvent(importance, JsonLine.String(root, "text") ?? ""),
                "artifact" when JsonLine.String(root, "path") is { } path => new ArtifactEvent(
                    path, JsonLine.String(root, "kind") ?? "", JsonLine.String(root, "crate") ?? "", JsonLine.String(root, "package") ?? "", JsonLine.String(root, "rustCrate") ?? ""),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Spelled out rather than Enum.TryParse, whose generic code MSBuild's process would JIT-compile.
    private static DiagnosticSeverity? Severity(string? name) => name switch
    {
        nameof(DiagnosticSeverity.Error) => DiagnosticSeverity.Error,
        nameof(DiagnosticSeverity.Warning) => DiagnosticSeverity.Warning,
        nameof(DiagnosticSeverity.Message) => DiagnosticSeverity.Message,
        _ => null,
    };

    /// <summary>The importance a line names (High, Normal, Low); null for anything else.</summary>
    internal static LogImportance? ImportanceNamed(string? name) => name switch
    {
        nameof(LogImportance.High) => LogImportance.High,
        nameof(LogImportance.Normal) => LogImportance.Normal,
        nameof(LogImportance.Low) => LogImportance.Low,
        _ => null,
    };
}

/// <summary>An error, warning or message with MSBuild's location fields (rustc's and cargo's, and DistBuild's own DISTB codes).</summary>
public sealed record DiagnosticEvent(BuildDiagnostic Diagnostic) : BuildEvent;

/// <summary>How prominently MSBuild shows a <see cref="MessageEvent"/> (MSBuild's MessageImportance).</summary>
public enum LogImportance
{
    High,
    Normal,
    Low,
}

/// <summary>A line of text for the build log.</summary>
public sealed record MessageEvent(LogImportance Importance, string Text) : BuildEvent;

/// <summary>A bin, cdylib or staticlib cargo produced: a RustArtifact item with metadata Kind, Crate, Package and RustCrate.</summary>
public sealed record ArtifactEvent(string Path, string Kind, string Crate, string Package, string RustCrate) : BuildEvent;
