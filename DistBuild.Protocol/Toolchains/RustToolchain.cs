using Build.Bazel.Remote.Execution.V2;

namespace DistBuild.Protocol.Toolchains;

/// <summary>
/// The identity of a rustc, as `rustc -vV` prints it. A job carries it as platform properties; a worker
/// advertises its own, and the scheduler only sends a job to a worker whose properties include the job's.
/// </summary>
public sealed record RustToolchain(string Release, string CommitHash, string Host)
{
    public const string ReleaseProperty = "rustc-release";
    public const string CommitHashProperty = "rustc-commit-hash";
    public const string HostProperty = "rustc-host";

    /// <summary>Parses `rustc -vV` output ("release: 1.95.0", "commit-hash: …", "host: …").</summary>
    public static RustToolchain Parse(string versionOutput)
    {
        var fields = versionOutput.Split('\n')
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim());
        string Field(string name) => fields.TryGetValue(name, out var value)
            ? value
            : throw new FormatException($"`rustc -vV` printed no '{name}:' line");
        return new RustToolchain(Field("release"), Field("commit-hash"), Field("host"));
    }

    public Platform ToPlatform()
    {
        var platform = new Platform();
        platform.Properties.Add(new Platform.Types.Property { Name = CommitHashProperty, Value = CommitHash });
        platform.Properties.Add(new Platform.Types.Property { Name = HostProperty, Value = Host });
        platform.Properties.Add(new Platform.Types.Property { Name = ReleaseProperty, Value = Release });
        return platform;
    }

    public override string ToString() => $"rustc {Release} ({CommitHash}) for {Host}";

    /// <summary>Describes the toolchain a platform asks for, for messages to people.</summary>
    public static string Describe(Platform? platform)
    {
        if (platform is null || platform.Properties.Count == 0)
            return "any toolchain";
        return string.Join(", ", platform.Properties.Select(p => $"{p.Name}={p.Value}"));
    }
}
