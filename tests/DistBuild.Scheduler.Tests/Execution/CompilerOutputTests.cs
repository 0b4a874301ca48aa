using Build.Bazel.Remote.Execution.V2;
using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Tests.Support;
using Google.Protobuf;

namespace DistBuild.Scheduler.Tests.Execution;

public sealed class CompilerOutputTests
{
    [Fact]
    public void Long_stderr_is_truncated_to_about_16_KiB()
    {
        var parts = new SchedulerParts();
        var result = new ActionResult { ExitCode = 1, StderrRaw = ByteString.CopyFromUtf8(new string('e', 100_000)) };

        var text = CompilerOutput.ErrorText(result, parts.Cas);

        Assert.InRange(text.Length, CompilerOutput.MaxChars, CompilerOutput.MaxChars + 100);
        Assert.EndsWith("(truncated)", text);
    }

    [Fact]
    public void Artifact_notifications_are_left_out_and_plain_lines_kept()
    {
        var parts = new SchedulerParts();
        var stderr = "{\"$message_type\":\"artifact\",\"artifact\":\"/x/libcore.rmeta\",\"emit\":\"metadata\"}\nerror: linker `cc` not found\n";
        var result = new ActionResult { ExitCode = 1, StderrDigest = parts.Put(stderr) };

        Assert.Equal("error: linker `cc` not found", CompilerOutput.ErrorText(result, parts.Cas));
    }
}
