using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DistBuild.Coordinator.Compilation;

/// <summary>
/// rustc's answers to information queries (`-vV`, cargo's `--print` probe), run once per build and, with a directory,
/// kept across builds as cargo keeps them in target/.rustc_info.json: a build in a fresh target directory (a CI
/// checkout, after `cargo clean`) otherwise runs rustc twice before its first compile, on the build's critical path.
/// </summary>
/// <remarks>
/// An answer is reused for the same rustc file (path, size, modification time; for a rustup proxy, the toolchain that
/// RUSTUP_TOOLCHAIN names and its rustc, as cargo does), the same arguments and the same values of the variables rustc
/// reads (RUST*, LD_LIBRARY_PATH, Apple SDK settings). Without a toolchain to tell (a rustup proxy outside cargo) the
/// answer is kept for this build only. Within a build a question is answered once, looked up by its text alone: the
/// rustc file is identified (a few file-system calls) only for the first ask, not for each compile's toolchain check.
/// Only successful answers are written; a file that cannot be read or written is a miss, never an error.
/// </remarks>
/// <param name="directory">Where answers are kept across builds; null keeps them for this build only.</param>
public sealed class ProbeCache(string? directory)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<LocalRustcRunner.Output>>> _answers = new(StringComparer.Ordinal);

    /// <summary>rustc's answer to the request, from this build's memory, the directory, or a run of rustc.</summary>
    public Task<LocalRustcRunner.Output> AnswerAsync(ShimRequest request, CancellationToken cancellationToken)
    {
        var question = QuestionOf(request);
        return _answers.GetOrAdd(question, _ => new Lazy<Task<LocalRustcRunner.Output>>(
            () => AnswerFirstAsync(question, request, cancellationToken))).Value;
    }

    /// <summary>The first ask in this build: kept across builds when the rustc it asks can be identified.</summary>
    private async Task<LocalRustcRunner.Output> AnswerFirstAsync(string question, ShimRequest request, CancellationToken cancellationToken)
    {
        if (directory is null || ToolchainIdentity(request) is not { } toolchain)
            return await LocalRustcRunner.RunAsync(request, cancellationToken).ConfigureAwait(false);
        var path = Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(question + toolchain))));
        if (Load(path) is { } kept)
            return kept;
        var output = await LocalRustcRunner.RunAsync(request, cancellationToken).ConfigureAwait(false);
        if (output.ExitCode == 0)
            Save(path, output);
        return output;
    }

    /// <summary>What is asked, as text: the rustc path, the arguments, and the variables rustc reads.</summary>
    private static string QuestionOf(ShimRequest request)
    {
        var text = new StringBuilder();
        void Part(string value) => text.Append(value).Append('\0');
        Part(request.RustcPath);
        Part(request.Arguments.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var argument in request.Arguments)
            Part(argument);
        foreach (var (name, value) in request.Environment.Where(v => AffectsRustc(v.Key)).OrderBy(v => v.Key, StringComparer.Ordinal))
            Part(name + "=" + value);
        return text.ToString();
    }

    /// <summary>
    /// What tells this rustc apart from a later one at the same path, or null when nothing does: a rustup proxy (a
    /// `rustup` beside it) runs whichever toolchain rustup picks, which only RUSTUP_TOOLCHAIN pins, and an update of
    /// that toolchain replaces its own rustc, not the proxy.
    /// </summary>
    private static string? ToolchainIdentity(ShimRequest request)
    {
        var rustc = new FileInfo(request.RustcPath);
        if (!rustc.Exists || rustc.DirectoryName is not { } bin)
            return null;
        var identity = Identity(rustc);
        if (!File.Exists(Path.Combine(bin, "rustup")))
            return identity;
        if (!request.Environment.TryGetValue("RUSTUP_TOOLCHAIN", out var toolchain) || toolchain.Length == 0
            || !request.Environment.TryGetValue("RUSTUP_HOME", out var rustupHome) || rustupHome.Length == 0)
            return null;
        // A toolchain is a name under RUSTUP_HOME/toolchains, or the path of a toolchain directory.
        var real = new FileInfo(Path.Combine(Path.IsPathRooted(toolchain) ? toolchain : Path.Combine(rustupHome, "toolchains", toolchain), "bin", "rustc"));
        return real.Exists ? $"{identity} via {Identity(real)}" : null;
    }

    private static string Identity(FileInfo file) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{file.FullName} {file.Length} {file.LastWriteTimeUtc.Ticks}");

    /// <summary>Variables rustc reads that can change what it prints (cargo passes flags as arguments, so these are few).</summary>
    private static bool AffectsRustc(string name) =>
        name.StartsWith("RUST", StringComparison.Ordinal) || name is "CARGO_ENCODED_RUSTFLAGS" or "LD_LIBRARY_PATH" or "SDKROOT"
        || name.EndsWith("_DEPLOYMENT_TARGET", StringComparison.Ordinal);

    private static LocalRustcRunner.Output? Load(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return new LocalRustcRunner.Output(0, root.GetProperty("stdout").GetBytesFromBase64(), root.GetProperty("stderr").GetBytesFromBase64());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Written under a temporary name and moved into place, so a concurrent build reads a whole answer or none.</summary>
    private static void Save(string path, LocalRustcRunner.Output output)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var file = File.Create(temporary))
            using (var json = new Utf8JsonWriter(file))
            {
                json.WriteStartObject();
                json.WriteBase64String("stdout", output.Stdout);
                json.WriteBase64String("stderr", output.Stderr);
                json.WriteEndObject();
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written costs the next build one rustc run, nothing more.
            DeleteQuietly(temporary);
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not written in the first place, or not ours to remove: either way it is no answer, as Load sees it.
        }
    }
}
