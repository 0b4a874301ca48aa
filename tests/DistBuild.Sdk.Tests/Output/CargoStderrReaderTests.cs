using DistBuild.Coordinator.Cargo;
using DistBuild.Protocol.Diagnostics;

namespace DistBuild.Sdk.Tests.Output;

public sealed class CargoStderrReaderTests
{
    [Fact]
    public void Manifest_syntax_error_becomes_a_DISTB_error_at_the_manifest_line()
    {
        var reported = new List<BuildDiagnostic>();
        var reader = new CargoStderrReader("/ws", "/ws/Cargo.toml", reported.Add);

        foreach (var line in new[]
        {
            "error: string values must be quoted, expected literal string",
            " --> crates/a/Cargo.toml:2:8",
            "  |",
            "2 | name = ",
            "  |        ^",
        })
            reader.Add(line);
        reader.Flush();

        var error = Assert.Single(reported);
        Assert.Equal((DiagnosticSeverity.Error, DiagnosticCodes.CargoError, "/ws/crates/a/Cargo.toml", 2, 8),
            (error.Severity, error.Code, error.File, error.Line, error.Column));
        Assert.Equal("string values must be quoted, expected literal string", error.Message);
        Assert.True(reader.ErrorsReported);
    }

    [Fact]
    public void Could_not_compile_summary_is_not_an_extra_error_after_rustc_errors()
    {
        var reported = new List<BuildDiagnostic>();
        var reader = new CargoStderrReader("/ws", "/ws/Cargo.toml", reported.Add) { CompilerErrorsReported = true };

        Assert.False(reader.Add("   Compiling a v0.1.0 (/ws/crates/a)"));
        reader.Add("error: could not compile `a` (bin \"a\") due to 1 previous error");
        reader.Flush();

        Assert.Equal(DiagnosticSeverity.Message, Assert.Single(reported).Severity);
        Assert.False(reader.ErrorsReported);
    }
}
