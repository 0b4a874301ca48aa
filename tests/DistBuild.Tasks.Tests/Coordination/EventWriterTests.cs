using DistBuild.Coordinator.Relay;
using DistBuild.Protocol.Coordination;
using DistBuild.Protocol.Diagnostics;

namespace DistBuild.Tasks.Tests.Coordination;

public class EventWriterTests
{
    private static List<BuildEvent> Events(LogImportance leastImportant)
    {
        var output = new StringWriter();
        var log = new EventWriter(output, leastImportant);
        log.High("DistBuild: 2 crates");
        log.Progress("app (bin): cached");
        log.Detail("app: action 0123");
        log.Report(new BuildDiagnostic(DiagnosticSeverity.Message, "rustc", null, null, "/w/src/main.rs", 1, 1, 1, 1, "note: a note"));
        log.Warning("DISTB0102", "app: compiled locally");
        log.Error("DISTB0004", null, "cargo failed");
        log.Artifact(new ArtifactEvent("/w/target/debug/app", "bin", "app", "app", "/w/Cargo.toml"));
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => BuildEvent.Decode(line)!).ToList();
    }

    private static string Describe(BuildEvent e) => e switch
    {
        MessageEvent m => $"{m.Importance} {m.Text}",
        DiagnosticEvent d => $"{d.Diagnostic.Severity} {d.Diagnostic.Message}",
        ArtifactEvent a => $"artifact {a.Path}",
        _ => e.ToString(),
    };

    [Fact]
    public void A_detailed_log_gets_every_line()
    {
        Assert.Equal(
            ["High DistBuild: 2 crates", "Normal app (bin): cached", "Low app: action 0123", "Message note: a note",
             "Warning app: compiled locally", "Error cargo failed", "artifact /w/target/debug/app"],
            Events(LogImportance.Low).Select(Describe));
    }

    [Fact]
    public void At_the_default_verbosity_the_per_compile_lines_are_not_sent_but_warnings_errors_and_artifacts_are()
    {
        Assert.Equal(
            ["High DistBuild: 2 crates", "Warning app: compiled locally", "Error cargo failed", "artifact /w/target/debug/app"],
            Events(LogImportance.High).Select(Describe));
    }

    [Fact]
    public void At_normal_verbosity_progress_is_sent_and_details_are_not()
    {
        Assert.Equal(
            ["High DistBuild: 2 crates", "Normal app (bin): cached", "Warning app: compiled locally", "Error cargo failed", "artifact /w/target/debug/app"],
            Events(LogImportance.Normal).Select(Describe));
    }
}
