using System.Diagnostics;
using System.Text.Json;

namespace DistBuild.Simulation.Profiles;

/// <summary>
/// Measures a real build: `cargo metadata` for the crate graph (normal and build dependencies, this host's
/// platform only) and `cargo build --timings` for each unit's duration. A package's time is the sum of its units
/// (build script compile, build script run, library, binaries), so a crate is one simulated action.
/// </summary>
public static class CargoProfiler
{
    public static async Task<CrateGraph> ProfileAsync(string workspace, string targetDirectory, TextWriter log, CancellationToken cancellationToken)
    {
        var host = (await CargoAsync(workspace, targetDirectory, ["rustc", "-vV"], "rustc", cancellationToken))
            .Split('\n').First(l => l.StartsWith("host:", StringComparison.Ordinal))["host:".Length..].Trim();
        var metadata = await CargoAsync(workspace, targetDirectory, ["metadata", "--format-version", "1", "--offline", "--filter-platform", host], "cargo", cancellationToken);

        if (Directory.Exists(targetDirectory))
            Directory.Delete(targetDirectory, recursive: true);
        log.WriteLine($"Profiling a cold `cargo build --timings` of {workspace}...");
        await CargoAsync(workspace, targetDirectory, ["build", "--offline", "--timings"], "cargo", cancellationToken);
        var timings = ParseTimings(File.ReadAllText(Path.Combine(targetDirectory, "cargo-timings", "cargo-timing.html")));
        return FromMetadata(workspace, metadata, timings);
    }

    /// <summary>Sums the unit durations of cargo's timing report (its UNIT_DATA array) per package name and version.</summary>
    public static Dictionary<(string Name, string Version), double> ParseTimings(string html)
    {
        const string marker = "const UNIT_DATA = ";
        var start = html.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
            throw new InvalidDataException("cargo's timing report has no UNIT_DATA (did the format change?)");
        start += marker.Length;
        var end = html.IndexOf("];", start, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(html[start..(end + 1)]);
        var seconds = new Dictionary<(string, string), double>();
        foreach (var unit in document.RootElement.EnumerateArray())
        {
            var key = (unit.GetProperty("name").GetString()!, unit.GetProperty("version").GetString()!);
            seconds[key] = seconds.GetValueOrDefault(key) + unit.GetProperty("duration").GetDouble();
        }
        return seconds;
    }

    private static CrateGraph FromMetadata(string workspace, string metadataJson, Dictionary<(string Name, string Version), double> timings)
    {
        using var metadata = JsonDocument.Parse(metadataJson);
        var packages = metadata.RootElement.GetProperty("packages").EnumerateArray()
            .ToDictionary(p => p.GetProperty("id").GetString()!, p => (Name: p.GetProperty("name").GetString()!, Version: p.GetProperty("version").GetString()!));
        var nodes = new List<CrateNode>();
        foreach (var node in metadata.RootElement.GetProperty("resolve").GetProperty("nodes").EnumerateArray())
        {
            var id = node.GetProperty("id").GetString()!;
            var package = packages[id];
            // A package cargo did not compile (a dev-only dependency) has no timing and is not part of the build.
            if (!timings.TryGetValue(package, out var seconds))
                continue;
            var dependencies = node.GetProperty("deps").EnumerateArray()
                .Where(d => d.GetProperty("dep_kinds").EnumerateArray().Any(k => k.GetProperty("kind").ValueKind == JsonValueKind.Null || k.GetProperty("kind").GetString() == "build"))
                .Select(d => d.GetProperty("pkg").GetString()!)
                .Where(d => timings.ContainsKey(packages[d]))
                .Distinct()
                .ToList();
            nodes.Add(new CrateNode(id, $"{package.Name} {package.Version}", seconds, dependencies));
        }
        return new CrateGraph($"cargo build --timings of {workspace}", nodes);
    }

    private static async Task<string> CargoAsync(string workspace, string targetDirectory, string[] arguments, string program, CancellationToken cancellationToken)
    {
        var cargoBin = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cargo", "bin");
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment["PATH"] = cargoBin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        startInfo.Environment["CARGO_TARGET_DIR"] = targetDirectory;
        startInfo.Environment["CARGO_INCREMENTAL"] = "0";
        startInfo.Environment.Remove("RUSTC_WRAPPER");
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"`{program} {string.Join(' ', arguments)}` in {workspace} failed:\n{await stderr}");
        return await stdout;
    }
}
