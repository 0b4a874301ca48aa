namespace DistBuild.Protocol.Diagnostics;

/// <summary>Severity of a diagnostic as MSBuild shows it.</summary>
public enum DiagnosticSeverity
{
    Error,
    Warning,
    Message,
}

/// <summary>
/// One diagnostic in MSBuild's terms (the arguments of <c>Log.LogError(subcategory, code, helpKeyword, file, line,
/// column, endLine, endColumn, message)</c>), produced from rustc's JSON or cargo's own error output.
/// </summary>
public sealed record BuildDiagnostic(
    DiagnosticSeverity Severity,
    string Subcategory,
    string? Code,
    string? HelpKeyword,
    string? File,
    int Line,
    int Column,
    int EndLine,
    int EndColumn,
    string Message);
