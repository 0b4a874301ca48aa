using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DistBuild.Sdk.Tests.EndToEnd;

/// <summary>
/// `dotnet build` of generated projects with bad input on the MSBuild side: each build fails, quickly, with one DistBuild
/// error that names what is wrong and says what to do.
/// </summary>
[Collection(SdkPackageCollection.Name)]
public sealed class BadInputBuildTests(SdkPackageFixture sdk)
{
    /// <summary>Far longer than any of these builds takes; a build that hangs fails the test instead of the run.</summary>
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task RustCrate_naming_a_missing_Cargo_toml_is_a_DISTB0001_error_naming_the_item_and_the_path()
    {
        var directory = NewDirectory(nameof(RustCrate_naming_a_missing_Cargo_toml_is_a_DISTB0001_error_naming_the_item_and_the_path));
        var project = WriteProject(directory, "crates/nothere/Cargo.toml");

        var result = await BuildAsync(project);

        Assert.NotEqual(0, result.ExitCode);
        var manifest = Path.Combine(directory, "crates", "nothere", "Cargo.toml");
        Assert.Contains($"{project} : DistBuild error DISTB0001: RustCrate 'crates/nothere/Cargo.toml' names {manifest}, which does not exist; point it at a package's or workspace's Cargo.toml", result.Output);
    }

    [Fact]
    public async Task Dependency_cycle_between_path_crates_is_a_DISTB0002_error_against_the_Cargo_toml()
    {
        var directory = NewDirectory(nameof(Dependency_cycle_between_path_crates_is_a_DISTB0002_error_against_the_Cargo_toml));
        var first = WriteCrate(directory, "alpha", """beta = { path = "../beta" }""");
        WriteCrate(directory, "beta", """alpha = { path = "../alpha" }""");
        var project = WriteProject(directory, "alpha/Cargo.toml");

        var result = await BuildAsync(project);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{first} : cargo error DISTB0002: cyclic package dependency", result.Output);
        Assert.Contains("remove the cycle", result.Output);
    }

    [Fact]
    public async Task Dependency_on_a_crate_that_does_not_exist_offline_is_a_DISTB0002_error_against_the_Cargo_toml()
    {
        var directory = NewDirectory(nameof(Dependency_on_a_crate_that_does_not_exist_offline_is_a_DISTB0002_error_against_the_Cargo_toml));
        var manifest = WriteCrate(directory, "lonely", """no-such-crate-distbuild = "1.0" """);
        var project = WriteProject(directory, "lonely/Cargo.toml");

        var result = await BuildAsync(project);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{manifest} : cargo error DISTB0002:", result.Output);
        Assert.Contains("no-such-crate-distbuild", result.Output);
        Assert.Contains("DistBuildCargoOffline", result.Output);
    }

    [Fact]
    public async Task Scheduler_url_answered_by_a_plain_web_server_is_a_DISTB0013_error_saying_it_is_not_a_REAPI_scheduler()
    {
        var samples = sdk.CopySamples(nameof(Scheduler_url_answered_by_a_plain_web_server_is_a_DISTB0013_error_saying_it_is_not_a_REAPI_scheduler));
        using var web = new PlainWebServer();

        var result = await BuildAsync(Path.Combine(samples, "HelloWorkspace", "HelloWorkspace.proj"), $"DistBuildScheduler={web.Url}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"error DISTB0013: The endpoint {web.Url} (DistBuildScheduler) answers, but is not a REAPI scheduler", result.Output);
        Assert.Contains("Set DistBuildScheduler to the gRPC address", result.Output);
        Assert.True(web.Connections > 0, "the build never called the configured scheduler");
        Assert.DoesNotContain("error DISTB0003", result.Output);
    }

    [Fact]
    public async Task PackageReference_in_a_wrapper_project_is_a_DISTB0015_error_against_the_project()
    {
        var directory = NewDirectory(nameof(PackageReference_in_a_wrapper_project_is_a_DISTB0015_error_against_the_project));
        var project = Path.Combine(directory, "Packages.proj");
        File.WriteAllText(project, """
            <Project Sdk="DistBuild.Sdk">
              <ItemGroup>
                <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
              </ItemGroup>
            </Project>
            """);

        var result = await BuildAsync(project);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{project} : error DISTB0015: A DistBuild.Sdk wrapper project takes no PackageReference (Newtonsoft.Json)", result.Output);
        Assert.Contains("<Sdk Name=\"DistBuild.Sdk\" />", result.Output);
    }

    private string NewDirectory(string testName)
    {
        var directory = Path.Combine(sdk.Root, testName);
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static string WriteProject(string directory, string rustCrate)
    {
        var project = Path.Combine(directory, "Bad.proj");
        File.WriteAllText(project, $"""
            <Project Sdk="DistBuild.Sdk">
              <PropertyGroup>
                <DistBuildCargoOffline>true</DistBuildCargoOffline>
              </PropertyGroup>
              <ItemGroup>
                <RustCrate Include="{rustCrate}" />
              </ItemGroup>
            </Project>
            """);
        return project;
    }

    /// <summary>A library crate with one dependency line; returns its manifest's path.</summary>
    private static string WriteCrate(string directory, string name, string dependency)
    {
        var crate = Path.Combine(directory, name);
        Directory.CreateDirectory(Path.Combine(crate, "src"));
        File.WriteAllText(Path.Combine(crate, "src", "lib.rs"), "pub fn f() {}\n");
        var manifest = Path.Combine(crate, "Cargo.toml");
        File.WriteAllText(manifest, $"""
            [package]
            name = "{name}"
            version = "0.1.0"
            edition = "2021"

            [dependencies]
            {dependency}
            """);
        return manifest;
    }

    private Task<CommandResult> BuildAsync(string project, params string[] properties) =>
        Command.RunAsync("dotnet",
            ["build", project, "-nodeReuse:false", "-v:n", .. properties.Select(p => "-p:" + p)],
            Path.GetDirectoryName(project)!, BuildTimeout,
            new Dictionary<string, string?> { ["DISTBUILD_HOME"] = sdk.Home, ["DISTBUILD_SCHEDULER"] = null, ["DISTBUILD_TOKEN"] = null });

    /// <summary>An HTTP/1.1 server on a loopback port that answers every connection with an HTML page, as a misconfigured URL might.</summary>
    private sealed class PlainWebServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _connections;

        public PlainWebServer()
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
            _ = AcceptAsync();
        }

        public string Url { get; }

        public int Connections => Volatile.Read(ref _connections);

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }
                Interlocked.Increment(ref _connections);
                _ = AnswerAsync(client);
            }
        }

        private static async Task AnswerAsync(TcpClient client)
        {
            using var connection = client;
            try
            {
                var stream = client.GetStream();
                // Whatever the client sent first (an HTTP/2 preface) is read and ignored, as a web server would.
                _ = await stream.ReadAsync(new byte[4096]);
                const string body = "<!doctype html><html><body><h1>Welcome</h1></body></html>";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
                // Close as web servers do (lingering close): end our side, then read until the client closes. Closing
                // with the client's later frames unread would send a reset, which can reach the client before the
                // answer does, and a reset is a scheduler that is down, not one that speaks something else.
                client.Client.Shutdown(SocketShutdown.Send);
                using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var drain = new byte[4096];
                while (await stream.ReadAsync(drain, linger.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The client gave up first.
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
