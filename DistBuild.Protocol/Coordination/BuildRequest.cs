using System.Text.Json;
using DistBuild.Protocol.Cargo;

namespace DistBuild.Protocol.Coordination;

/// <summary>
/// What the DistBuildCargoBuild task asks of the coordinator process: the cargo builds to run and how, as the project
/// set them (the coordinator resolves defaults, paths and the embedded scheduler). One JSON line on the coordinator's
/// standard input, so the token never appears on a command line.
/// </summary>
public sealed record BuildRequest(IReadOnlyList<CargoCommand> Crates)
{
    /// <summary>The line the task writes after the request when the build is cancelled.</summary>
    public const string CancelCommand = "cancel";

    /// <summary>false runs plain cargo without the rustc shim.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Scheduler URL; empty starts or reuses the embedded default.</summary>
    public string? Scheduler { get; init; }

    public string? InstanceName { get; init; }

    /// <summary>Bearer token; when empty, DISTBUILD_TOKEN from the environment.</summary>
    public string? Token { get; init; }

    public string? CaCertificate { get; init; }

    public bool LocalFallback { get; init; }

    /// <summary>A TimeSpan as MSBuild users write it ("00:10:00"); empty or invalid leaves it to the server.</summary>
    public string? JobTimeout { get; init; }

    public string? ReportPath { get; init; }

    /// <summary>The cargo executable; empty finds it on PATH or in ~/.cargo/bin.</summary>
    public string? Cargo { get; init; }

    /// <summary>DistBuildCargoJobs: how many jobs cargo runs at once; empty lets DistBuild choose.</summary>
    public string? CargoJobs { get; init; }

    public string? RustcShim { get; init; }

    /// <summary>DISTBUILD_HOME; empty uses the default.</summary>
    public string? Home { get; init; }

    public string? SchedulerHost { get; init; }

    public string? WorkerHost { get; init; }

    public string? EmbeddedIdleShutdown { get; init; }

    /// <summary>The dotnet host that runs hosts packed as assemblies rather than executables.</summary>
    public string DotnetHost { get; init; } = "dotnet";

    /// <summary>
    /// The least important message any of MSBuild's loggers shows: the coordinator does not send what nobody would
    /// see (at the default verbosity, a line per compile), which MSBuild would otherwise parse and route for nothing.
    /// </summary>
    public LogImportance LeastImportantMessage { get; init; } = LogImportance.Low;

    // Written and read by hand, not by System.Text.Json's serializer: the task writes this inside MSBuild's process,
    // where every generic instantiation the serializer needs is JIT-compiled again in every build.
    public string Encode() => JsonLine.Write(json =>
    {
        json.WriteStartArray("crates");
        foreach (var crate in Crates)
        {
            json.WriteStartObject();
            json.WriteString("manifestPath", crate.ManifestPath);
            json.WriteString("targetDirectory", crate.TargetDirectory);
            json.WriteString("profile", crate.Profile);
            WriteList(json, "packages", crate.Packages);
            json.WriteString("features", crate.Features);
            json.WriteBoolean("noDefaultFeatures", crate.NoDefaultFeatures);
            WriteList(json, "binaries", crate.Binaries);
            json.WriteBoolean("offline", crate.Offline);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteBoolean("enabled", Enabled);
        json.WriteString("scheduler", Scheduler);
        json.WriteString("instanceName", InstanceName);
        json.WriteString("token", Token);
        json.WriteString("caCertificate", CaCertificate);
        json.WriteBoolean("localFallback", LocalFallback);
        json.WriteString("jobTimeout", JobTimeout);
        json.WriteString("reportPath", ReportPath);
        json.WriteString("cargo", Cargo);
        json.WriteString("cargoJobs", CargoJobs);
        json.WriteString("rustcShim", RustcShim);
        json.WriteString("home", Home);
        json.WriteString("schedulerHost", SchedulerHost);
        json.WriteString("workerHost", WorkerHost);
        json.WriteString("embeddedIdleShutdown", EmbeddedIdleShutdown);
        json.WriteString("dotnetHost", DotnetHost);
        json.WriteString("leastImportantMessage", LeastImportantMessage.ToString());
    });

    /// <summary>The request in a line; throws <see cref="JsonException"/> when the line holds none.</summary>
    public static BuildRequest Decode(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("crates", out var crates) || crates.ValueKind != JsonValueKind.Array)
            throw new JsonException("the request has no \"crates\" array");
        try
        {
            return new BuildRequest(crates.EnumerateArray().Select(crate => new CargoCommand(
                crate.GetProperty("manifestPath").GetString()!,
                crate.GetProperty("targetDirectory").GetString()!,
                crate.GetProperty("profile").GetString()!,
                ReadList(crate, "packages"),
                JsonLine.String(crate, "features"),
                JsonLine.Bool(crate, "noDefaultFeatures", false),
                ReadList(crate, "binaries"),
                JsonLine.Bool(crate, "offline", false))).ToList())
            {
                Enabled = JsonLine.Bool(root, "enabled", true),
                Scheduler = JsonLine.String(root, "scheduler"),
                InstanceName = JsonLine.String(root, "instanceName"),
                Token = JsonLine.String(root, "token"),
                CaCertificate = JsonLine.String(root, "caCertificate"),
                LocalFallback = JsonLine.Bool(root, "localFallback", false),
                JobTimeout = JsonLine.String(root, "jobTimeout"),
                ReportPath = JsonLine.String(root, "reportPath"),
                Cargo = JsonLine.String(root, "cargo"),
                CargoJobs = JsonLine.String(root, "cargoJobs"),
                RustcShim = JsonLine.String(root, "rustcShim"),
                Home = JsonLine.String(root, "home"),
                SchedulerHost = JsonLine.String(root, "schedulerHost"),
                WorkerHost = JsonLine.String(root, "workerHost"),
                EmbeddedIdleShutdown = JsonLine.String(root, "embeddedIdleShutdown"),
                DotnetHost = JsonLine.String(root, "dotnetHost") ?? "dotnet",
                LeastImportantMessage = BuildEvent.ImportanceNamed(JsonLine.String(root, "leastImportantMessage")) ?? LogImportance.Low,
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
        {
            throw new JsonException($"the request is incomplete: {e.Message}", e);
        }
    }

    // The token stays out of logs and exception messages that print the request.
    public override string ToString() =>
        $"BuildRequest {{ Crates = {Crates.Count}, Enabled = {Enabled}, Scheduler = {Scheduler}, Token = {(string.IsNullOrEmpty(Token) ? "(none)" : "(set)")} }}";

    private static void WriteList(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static List<string> ReadList(JsonElement element, string name) =>
        element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(v => v.GetString() ?? "").ToList()
            : [];
}
