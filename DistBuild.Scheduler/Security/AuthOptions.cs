namespace DistBuild.Scheduler.Security;

/// <summary>
/// Who may call the scheduler, bound from the `Auth` section (`--Auth:Tokens:0=…`, `Auth__Tokens__0=…`). With no
/// token configured every call is accepted, which suits the embedded default on loopback and nothing else.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Bearer tokens clients and workers may present; any one of them is accepted.</summary>
    public List<string> Tokens { get; set; } = [];

    /// <summary>A file with more accepted tokens, one per line; blank lines and lines starting with '#' are skipped.</summary>
    public string? TokenFile { get; set; }

    /// <summary>The token the scheduler sends when it calls a worker; the first accepted token when not set.</summary>
    public string? WorkerToken { get; set; }

    /// <summary>PEM file of the CA that signed workers' https certificates; $DISTBUILD_CA_CERT when not set.</summary>
    public string? WorkerCaCertificate { get; set; }

    /// <summary>Every accepted token: the configured ones, then those in <see cref="TokenFile"/>.</summary>
    /// <exception cref="IOException">The token file cannot be read.</exception>
    public IReadOnlyList<string> AcceptedTokens()
    {
        var tokens = Tokens.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToList();
        if (!string.IsNullOrEmpty(TokenFile))
        {
            tokens.AddRange(File.ReadAllLines(TokenFile)
                .Select(line => line.Trim())
                .Where(line => line.Length > 0 && !line.StartsWith('#')));
        }
        return tokens;
    }

    /// <summary>Binds the section; null when it is usable, else what is wrong with it (the token file is read here, so a bad path stops the start).</summary>
    public static string? Check(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<AuthOptions>() ?? new AuthOptions();
        try
        {
            options.AcceptedTokens();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Auth:TokenFile '{options.TokenFile}' cannot be read: {e.Message}";
        }
        if (!string.IsNullOrEmpty(options.WorkerCaCertificate) && !File.Exists(options.WorkerCaCertificate))
            return $"Auth:WorkerCaCertificate '{options.WorkerCaCertificate}' does not exist";
        return null;
    }
}
