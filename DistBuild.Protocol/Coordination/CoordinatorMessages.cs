using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistBuild.Protocol.Coordination;

/// <summary>
/// The line protocol between the DistBuildCargoBuild task and the coordinator process it starts. On the coordinator's
/// standard input: the settings as the first line (the token travels here, never on a command line), then
/// <see cref="CancelCommand"/> lines; the end of input tells it to finish the compiles in flight and stop. On its
/// standard output: one <see cref="CoordinatorEvent"/> per line. Every message is one line of JSON.
/// </summary>
public static class CoordinatorMessages
{
    /// <summary>Cancels the remote work in flight (the build was cancelled).</summary>
    public const string CancelCommand = "cancel";

    public static string Encode(CoordinatorSettings settings) => JsonSerializer.Serialize(settings, CoordinationJson.Default.CoordinatorSettings);

    public static string Encode(CoordinatorEvent message) => JsonSerializer.Serialize(message, CoordinationJson.Default.CoordinatorEvent);

    /// <summary>The settings in a line; throws <see cref="JsonException"/> when it holds none.</summary>
    public static CoordinatorSettings DecodeSettings(string line) =>
        JsonSerializer.Deserialize(line, CoordinationJson.Default.CoordinatorSettings) ?? throw new JsonException("the settings line is null");

    /// <summary>The event in a line; null when the line is not one (the task logs such lines as they are).</summary>
    public static CoordinatorEvent? DecodeEvent(string line)
    {
        if (!line.StartsWith('{'))
            return null;
        try
        {
            return JsonSerializer.Deserialize(line, CoordinationJson.Default.CoordinatorEvent) is { Kind: not null } message ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Source-generated JSON for the coordinator's messages (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CoordinatorSettings))]
[JsonSerializable(typeof(CoordinatorEvent))]
internal sealed partial class CoordinationJson : JsonSerializerContext;
