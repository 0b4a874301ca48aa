using System.Text;
using System.Text.Json;

namespace DistBuild.Protocol.Coordination;

/// <summary>
/// The hand-written JSON of <see cref="BuildRequest"/> and <see cref="BuildEvent"/> lines: written with Utf8JsonWriter,
/// read field by field from a JsonDocument, so MSBuild's process instantiates none of the serializer's generic code.
/// </summary>
internal static class JsonLine
{
    /// <summary>One JSON object, as a line's text.</summary>
    public static string Write(Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            writeProperties(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : 0;

    public static bool Bool(JsonElement element, string name, bool otherwise) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : otherwise;
}
