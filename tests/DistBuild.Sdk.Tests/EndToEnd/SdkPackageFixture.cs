using System.Text.Json;
using DistBuild.Testing;

namespace DistBuild.Sdk.Tests.EndToEnd;

/// <summary>
/// Packs DistBuild.Sdk once per test run, with a version no NuGet cache has seen, into a local feed; the generated
/// projects restore it through a nuget.config with that feed only and an isolated packages folder. The embedded
/// scheduler the builds start keeps its state in a fresh DISTBUILD_HOME and is stopped at the end.
/// </summary>
public sealed class SdkPackageFixture : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(20);

    public string Root { get; } = TemporaryDirectory.Create("sdk-e2e");
    public string Version { get; } = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";
    public string Feed => Path.Combine(Root, "feed");
    public string Home => Path.Combine(Root, "distbuild-home");

    public async Task InitializeAsync()
    {
        var project = Path.Combine(RepositoryPaths.Root, "DistBuild.Sdk", "DistBuild.Sdk.csproj");
        (await Command.RunAsync("dotnet",
            ["pack", project, "-c", RepositoryPaths.Configuration, "-o", Feed, $"-p:Version={Version}", "-nodeReuse:false"],
            RepositoryPaths.Root, PackTimeout)).ShouldSucceed("dotnet pack DistBuild.Sdk");

        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(Root, "packages")}" /></config>
              <packageSources><clear /><add key="distbuild-test" value="{Feed}" /></packageSources>
            </configuration>
            """);
        // The samples name the SDK without a version (`<Sdk Name="DistBuild.Sdk" />`); this pins the fresh one.
        File.WriteAllText(Path.Combine(Root, "global.json"), $$"""{ "msbuild-sdks": { "DistBuild.Sdk": "{{Version}}" } }""");
    }

    /// <summary>A copy of the repository's samples/ folder for one test (without build output or its nuget.config and global.json).</summary>
    public string CopySamples(string testName)
    {
        var destination = Path.Combine(Root, testName, "samples");
        CopyDirectory(Path.Combine(RepositoryPaths.Root, "samples"), destination);
        return destination;
    }

    /// <summary>`dotnet build` of a project, with the shared DISTBUILD_HOME and extra -p: properties.</summary>
    public Task<CommandResult> BuildAsync(string project, params string[] properties) => DotnetAsync("build", project, properties);

    /// <summary>`dotnet VERB` (build, clean, publish) of a project, as <see cref="BuildAsync"/>.</summary>
    public Task<CommandResult> DotnetAsync(string verb, string project, params string[] properties) =>
        DotnetAsync(verb, project, new Dictionary<string, string?>(), properties);

    /// <summary>`dotnet VERB` of a project with more environment variables.</summary>
    public Task<CommandResult> DotnetAsync(string verb, string project, IReadOnlyDictionary<string, string?> environment, params string[] properties) =>
        Command.RunAsync("dotnet",
            [verb, project, "-nodeReuse:false", "-v:n", .. properties.Select(p => "-p:" + p)],
            Path.GetDirectoryName(project)!, TimeSpan.FromMinutes(10),
            new Dictionary<string, string?>(environment) { ["DISTBUILD_HOME"] = Home, ["DISTBUILD_SCHEDULER"] = null, ["DISTBUILD_TOKEN"] = null });

    public JsonElement? EmbeddedState()
    {
        var path = Path.Combine(Home, "embedded.json");
        return File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone() : null;
    }

    public Task DisposeAsync()
    {
        // The embedded hosts would end by themselves after their idle period; a test run should not leave them behind.
        if (EmbeddedState() is { } state)
        {
            foreach (var name in new[] { "workerPid", "schedulerPid" })
            {
                try
                {
                    using var process = System.Diagnostics.Process.GetProcessById(state.GetProperty(name).GetInt32());
                    process.Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    // Already gone.
                }
            }
        }
        return Task.CompletedTask;
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var name = Path.GetFileName(file);
            if (name is "nuget.config" or "global.json")
                continue;
            File.Copy(file, Path.Combine(destination, name));
        }
        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            var name = Path.GetFileName(directory);
            if (name is "target" or "bin" or "obj")
                continue;
            CopyDirectory(directory, Path.Combine(destination, name));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SdkPackageCollection : ICollectionFixture<SdkPackageFixture>
{
    /// <summary>One collection: the end-to-end builds share the packed SDK and run one after another.</summary>
    public const string Name = "DistBuild.Sdk end to end";
}
