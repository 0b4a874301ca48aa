using System.Text.Json;

namespace DistBuild.Sdk.Tests.EndToEnd;

/// <summary>The parts of obj/…/distbuild-report.json the tests look at.</summary>
public sealed record BuildReportFile(string Mode, IReadOnlyList<(string Crate, string Kind)> Invocations)
{
    public static BuildReportFile Read(string projectDirectory, string configuration = "Debug")
    {
        var path = Path.Combine(projectDirectory, "obj", configuration, "net10.0", "distbuild-report.json");
        Assert.True(File.Exists(path), $"no build report at {path}");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var invocations = json.RootElement.GetProperty("invocations").EnumerateArray()
            .Select(i => (i.GetProperty("crate").GetString()!, i.GetProperty("kind").GetString()!))
            .ToList();
        return new BuildReportFile(json.RootElement.GetProperty("mode").GetString()!, invocations);
    }

    public int Count(string kind) => Invocations.Count(i => i.Kind == kind);
}
