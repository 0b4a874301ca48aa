using System.Security;
using DistBuild.Bench.Running;

namespace DistBuild.Bench.Tools;

/// <summary>
/// The DistBuild.Sdk package the wrapper projects use: a local feed holding it and its version. Packed from the
/// repository with a version of its own, into an isolated packages folder, because NuGet caches a package by
/// version and would otherwise keep serving an older build of the same version.
/// </summary>
public sealed record SdkPackage(string Feed, string Version)
{
    public const string Id = "DistBuild.Sdk";

    /// <summary>Packs DistBuild.Sdk from the repository into <paramref name="feed"/>, or uses a given feed.</summary>
    public static async Task<SdkPackage> PrepareAsync(string repositoryRoot, string? existingFeed, string feed, CancellationToken cancellationToken)
    {
        if (existingFeed is not null)
            return new SdkPackage(Path.GetFullPath(existingFeed), VersionIn(existingFeed));

        var project = Path.Combine(repositoryRoot, "DistBuild.Sdk", "DistBuild.Sdk.csproj");
        if (!File.Exists(project))
            throw new SdkUnavailableException($"{project} does not exist yet");
        var version = $"0.1.0-bench.{DateTime.UtcNow:yyyyMMddHHmmss}";
        Directory.CreateDirectory(feed);
        var result = await CommandRunner.RunAsync("dotnet", ["pack", project, "-c", "Release", "-o", feed, $"-p:Version={version}", "-nodeReuse:false", "-v:q"],
            repositoryRoot, new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
            TimeSpan.FromMinutes(20), cancellationToken);
        if (result.ExitCode != 0)
            throw new SdkUnavailableException($"`dotnet pack {project}` failed:\n{result.Output}");
        return new SdkPackage(feed, version);
    }

    public string NuGetConfig(string packagesFolder) =>
        $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config>
            <add key="globalPackagesFolder" value="{SecurityElement.Escape(packagesFolder)}" />
          </config>
          <packageSources>
            <clear />
            <add key="distbuild-local" value="{SecurityElement.Escape(Feed)}" />
          </packageSources>
        </configuration>

        """;

    private static string VersionIn(string feed)
    {
        var package = Directory.GetFiles(feed, Id + ".*.nupkg")
            .Where(p => !p.EndsWith(".symbols.nupkg", StringComparison.Ordinal))
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault() ?? throw new SdkUnavailableException($"no {Id}.*.nupkg in {feed}");
        return Path.GetFileNameWithoutExtension(package)[(Id.Length + 1)..];
    }
}

/// <summary>DistBuild cannot be benchmarked (the SDK is not there or does not pack); the other tools still run.</summary>
public sealed class SdkUnavailableException(string message) : Exception(message);
