using System.CommandLine;

namespace DistBuild.Cli.Commands;

/// <summary>
/// State shared by the commands of one `distbuild` process: where the scheduler is, where input and binary
/// output go, and whether the interactive prompt is running (which `exit` ends).
/// </summary>
public sealed class CliSession
{
    public const string SchedulerEnvironmentVariable = "DISTBUILD_SCHEDULER";
    public const string DefaultSchedulerUrl = "http://127.0.0.1:8980";
    public const string TokenEnvironmentVariable = "DISTBUILD_TOKEN";
    public const string CaCertificateEnvironmentVariable = DistBuild.Protocol.Channels.GrpcChannels.CaCertificateEnvironmentVariable;

    private readonly Func<Stream> _openStandardOutput;

    public CliSession(TextReader input, Func<Stream> openStandardOutput, string? environmentScheduler = null)
    {
        Input = input;
        _openStandardOutput = openStandardOutput;
        SchedulerUrl = environmentScheduler ?? Environment.GetEnvironmentVariable(SchedulerEnvironmentVariable) switch
        {
            { Length: > 0 } fromEnvironment => fromEnvironment,
            _ => DefaultSchedulerUrl,
        };
        SchedulerOption = new Option<string>("--scheduler", "-s")
        {
            Description = $"Scheduler URL; defaults to ${SchedulerEnvironmentVariable}, then {DefaultSchedulerUrl}",
            HelpName = "URL",
            Recursive = true,
            // Read at parse time, so a URL given when the prompt opened applies to every line typed in it.
            DefaultValueFactory = _ => SchedulerUrl,
        };
        Token = Environment.GetEnvironmentVariable(TokenEnvironmentVariable) is { Length: > 0 } token ? token : null;
        TokenOption = new Option<string?>("--token")
        {
            Description = $"Bearer token for a scheduler that requires one; defaults to ${TokenEnvironmentVariable}",
            HelpName = "TOKEN",
            Recursive = true,
            DefaultValueFactory = _ => Token,
        };
        CaCertificate = Environment.GetEnvironmentVariable(CaCertificateEnvironmentVariable) is { Length: > 0 } ca ? ca : null;
        CaCertificateOption = new Option<string?>("--ca-cert")
        {
            Description = $"PEM file of the CA that signed an https scheduler's certificate; defaults to ${CaCertificateEnvironmentVariable}",
            HelpName = "FILE",
            Recursive = true,
            DefaultValueFactory = _ => CaCertificate,
        };
    }

    public Option<string?> TokenOption { get; }

    public Option<string?> CaCertificateOption { get; }

    /// <summary>The token used when a command line gives none; never printed.</summary>
    public string? Token { get; set; }

    public string? CaCertificate { get; set; }

    public Option<string> SchedulerOption { get; }

    /// <summary>The scheduler URL used when a command line names none.</summary>
    public string SchedulerUrl { get; set; }

    public TextReader Input { get; }

    public bool IsInteractive { get; set; }

    public bool ExitRequested { get; set; }

    /// <summary>Raw standard output, for blob bytes that must not pass through a text encoder.</summary>
    public Stream OpenStandardOutput() => _openStandardOutput();

    public string SchedulerUrlOf(ParseResult parseResult) => parseResult.GetValue(SchedulerOption) ?? SchedulerUrl;

    public string? TokenOf(ParseResult parseResult) => parseResult.GetValue(TokenOption) ?? Token;

    public string? CaCertificateOf(ParseResult parseResult) => parseResult.GetValue(CaCertificateOption) ?? CaCertificate;

    public SchedulerConnection Connect(ParseResult parseResult) =>
        SchedulerConnection.Open(SchedulerUrlOf(parseResult), TokenOf(parseResult), CaCertificateOf(parseResult));
}
