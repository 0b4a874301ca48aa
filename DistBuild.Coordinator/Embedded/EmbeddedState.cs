using System.Text.Json;

namespace DistBuild.Coordinator.Embedded;

/// <summary>
/// What the embedded default remembers between builds (DISTBUILD_HOME/embedded.json): where its scheduler listens
/// and which processes are its scheduler and worker, so the next build can check them and reuse them.
/// </summary>
public sealed record EmbeddedState(string Url, int SchedulerPid, int WorkerPid, string SchedulerProgram, DateTimeOffset Started)
{
    public static EmbeddedState? Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            return new EmbeddedState(
                root.GetProperty("url").GetString()!,
                root.GetProperty("schedulerPid").GetInt32(),
                root.GetProperty("workerPid").GetInt32(),
                root.GetProperty("schedulerProgram").GetString()!,
                root.GetProperty("started").GetDateTimeOffset());
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException or UnauthorizedAccessException)
        {
            // No state yet, or a file from an older layout: start afresh.
            return null;
        }
    }

    public void Write(string path)
    {
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("url", Url);
            json.WriteNumber("schedulerPid", SchedulerPid);
            json.WriteNumber("workerPid", WorkerPid);
            json.WriteString("schedulerProgram", SchedulerProgram);
            json.WriteString("started", Started);
            json.WriteEndObject();
        }
        File.Move(temporary, path, overwrite: true);
    }
}
