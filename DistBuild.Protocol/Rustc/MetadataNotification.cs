using System.Text;
using System.Text.Json;

namespace DistBuild.Protocol.Rustc;

/// <summary>
/// rustc's artifact notification for a crate's metadata: the JSON line it prints on stderr (when cargo passes
/// <c>--json=artifacts</c>) as soon as the <c>.rmeta</c> is written, well before code generation ends. cargo starts the
/// crates that need only that metadata when it reads the line: its pipelining, which a remote compile keeps only if
/// the line reaches cargo while the compile still runs.
/// </summary>
public static class MetadataNotification
{
    private const string Prefix = "{\"$message_type\":\"artifact\"";

    /// <summary>The .rmeta path a stderr line announces, or null when the line says something else.</summary>
    public static string? PathIn(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            return root.TryGetProperty("emit", out var emit) && emit.ValueEquals("metadata")
                && root.TryGetProperty("artifact", out var artifact) && artifact.ValueKind == JsonValueKind.String
                && artifact.GetString() is { } path && path.EndsWith(".rmeta", StringComparison.Ordinal)
                    ? path
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The line rustc prints for <paramref name="path"/>, newline included.</summary>
    public static byte[] LineFor(string path)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("$message_type", "artifact");
            writer.WriteString("artifact", path);
            writer.WriteString("emit", "metadata");
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>
    /// rustc's stderr without its metadata notifications, for a compile whose notification cargo has had already: cargo
    /// takes each one as the metadata being ready, and a second one for the same compile is not something it expects.
    /// </summary>
    public static byte[] Without(byte[] stderr)
    {
        if (stderr.AsSpan().IndexOf("\"emit\":\"metadata\""u8) < 0)
            return stderr;
        var kept = new MemoryStream(stderr.Length);
        var rest = stderr.AsSpan();
        while (rest.Length > 0)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..(end + 1)];
            if (PathIn(Encoding.UTF8.GetString(line).TrimEnd('\n', '\r')) is null)
                kept.Write(line);
            rest = rest[line.Length..];
        }
        return kept.ToArray();
    }
}
