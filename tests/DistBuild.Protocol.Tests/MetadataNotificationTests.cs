using System.Text;
using DistBuild.Protocol.Rustc;

namespace DistBuild.Protocol.Tests;

public class MetadataNotificationTests
{
    // As rustc 1.95 prints them with --error-format=json --json=artifacts.
    private const string Metadata = """{"$message_type":"artifact","artifact":"/w/target/debug/deps/libbase-1a2b.rmeta","emit":"metadata"}""";
    private const string Link = """{"$message_type":"artifact","artifact":"/w/target/debug/deps/libbase-1a2b.rlib","emit":"link"}""";
    private const string Warning = """{"$message_type":"diagnostic","message":"unused variable","rendered":"warning: \"emit\":\"metadata\"\n"}""";

    [Fact]
    public void Only_a_metadata_notification_names_an_rmeta()
    {
        Assert.Equal("/w/target/debug/deps/libbase-1a2b.rmeta", MetadataNotification.PathIn(Metadata));
        Assert.Null(MetadataNotification.PathIn(Link));
        Assert.Null(MetadataNotification.PathIn(Warning));
        Assert.Null(MetadataNotification.PathIn("""{"$message_type":"artifact","artifact":"""));
        Assert.Null(MetadataNotification.PathIn("   Compiling base v0.1.0"));
    }

    [Fact]
    public void The_line_written_for_a_path_reads_back_as_that_path_even_with_characters_json_escapes()
    {
        const string path = "/home/ann \"quoted\"/ünï/libx-1.rmeta";

        var line = Encoding.UTF8.GetString(MetadataNotification.LineFor(path));

        Assert.EndsWith("}\n", line);
        Assert.Equal(path, MetadataNotification.PathIn(line.TrimEnd('\n')));
    }

    [Fact]
    public void Stderr_without_notifications_keeps_every_other_line_byte_for_byte()
    {
        var stderr = Encoding.UTF8.GetBytes($"{Warning}\n{Metadata}\n{Link}\r\nerror: trailing line without newline");

        var kept = Encoding.UTF8.GetString(MetadataNotification.Without(stderr));

        Assert.Equal($"{Warning}\n{Link}\r\nerror: trailing line without newline", kept);
        var plain = "no notification here\n"u8.ToArray();
        Assert.Same(plain, MetadataNotification.Without(plain));
    }
}
