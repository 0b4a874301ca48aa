using System.Text;
using System.Text.Json;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Scheduler.Cas;

namespace DistBuild.Scheduler.Execution;

/// <summary>
/// The text a person should see for a failed compile: rustc's stderr, with JSON diagnostics
/// (`--error-format=json`) replaced by their rendered form, cut to a size an admin view can show.
/// </summary>
public static class CompilerOutput
{
    public const int MaxChars = 16 * 1024;

    public static string ErrorText(ActionResult result, ContentStore store)
    {
        var stderr = !result.StderrRaw.IsEmpty
            ? result.StderrRaw.ToByteArray()
            : result.StderrDigest is { SizeBytes: > 0 } digest ? store.TryRead(digest) : null;
        if (stderr is null)
            return $"rustc exited with code {result.ExitCode} (its stderr is not in the CAS)";
        var text = Render(Encoding.UTF8.GetString(stderr)).Trim();
        if (text.Length == 0)
            return $"rustc exited with code {result.ExitCode} and printed nothing on stderr";
        return text.Length <= MaxChars ? text : text[..MaxChars] + "\n… (truncated)";
    }

    private static string Render(string stderr)
    {
        var output = new StringBuilder();
        foreach (var line in stderr.Split('\n'))
        {
            if (line.StartsWith('{') && TryRendered(line, out var rendered))
            {
                if (rendered is not null)
                    output.Append(rendered.TrimEnd('\n')).Append('\n');
                continue;
            }
            output.Append(line).Append('\n');
        }
        return output.ToString();
    }

    /// <summary>True for a JSON line; <paramref name="rendered"/> is its human text, or null for messages people never see (artifacts).</summary>
    private static bool TryRendered(string line, out string? rendered)
    {
        rendered = null;
        try
        {
            using var json = JsonDocument.Parse(line);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                return false;
            if (json.RootElement.TryGetProperty("rendered", out var text) && text.ValueKind == JsonValueKind.String)
                rendered = StripAnsi(text.GetString()!);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string StripAnsi(string text) => System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[[0-9;]*m", "");
}
