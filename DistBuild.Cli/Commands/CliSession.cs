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
    }

    public Option<string> SchedulerOption { get; }

    /// <summary>The scheduler URL used when a command line names none.</summary>
    public string SchedulerUrl { get; set; }

    public TextReader Input { get; }

    public bool IsInteractive { get; set; }

    public bool ExitRequested { get; set; }

    /// <summary>Raw standard output, for blob bytes that must not pass through a text encoder.</summary>
    public Stream OpenStandardOutput() => _openStandardOutput();

    public string SchedulerUrlOf(ParseResult parseResult) => parseResult.GetValue(SchedulerOption) ?? SchedulerUrl;

    public SchedulerConnection Connect(ParseResult parseResult) => SchedulerConnection.Open(SchedulerUrlOf(parseResult));
}
