using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Workers;
using DistBuild.Security.Tests.Support;
using DistBuild.Testing;
using Google.ByteStream;
using Grpc.Core;

namespace DistBuild.Security.Tests;

/// <summary>One scheduler that accepts three tokens, given the three ways an operator can: command line, environment, token file.</summary>
public sealed class TokenSchedulerFixture : IAsyncLifetime
{
    public const string CommandLineToken = "token-from-command-line-6f1d";
    public const string EnvironmentToken = "token-from-environment-93ab";
    public const string FileToken = "token-from-file-0c42";

    public HostProcess Scheduler { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var tokenFile = Path.Combine(TemporaryDirectory.Create("tokens"), "tokens.txt");
        await File.WriteAllTextAsync(tokenFile, $"# accepted tokens\n\n{FileToken}\n");
        Scheduler = await TestHosts.StartSchedulerAsync(null,
            new Dictionary<string, string> { ["Auth__Tokens__1"] = EnvironmentToken },
            $"--Auth:Tokens:0={CommandLineToken}", $"--Auth:TokenFile={tokenFile}");
    }

    public async Task DisposeAsync() => await Scheduler.DisposeAsync();
}

public sealed class AuthenticationTests(TokenSchedulerFixture fixture) : IClassFixture<TokenSchedulerFixture>
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);

    /// <summary>One call per service of the scheduler; a status other than UNAUTHENTICATED means the call got through.</summary>
    public static TheoryData<string> SchedulerCalls => new() { "Capabilities", "ContentAddressableStorage", "ActionCache", "Execution", "ByteStream", "WorkerRegistry", "Admin" };

    [Theory]
    [MemberData(nameof(SchedulerCalls))]
    public async Task Every_service_refuses_a_call_without_a_token(string service)
    {
        using var channel = GrpcChannels.Create(fixture.Scheduler.Url);
        var status = await CallAsync(channel, service);
        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains("requires a bearer token", status.Detail);
    }

    [Theory]
    [MemberData(nameof(SchedulerCalls))]
    public async Task Every_service_refuses_a_wrong_token(string service)
    {
        using var channel = GrpcChannels.Create(fixture.Scheduler.Url, "not-the-token");
        var status = await CallAsync(channel, service);
        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains("not valid", status.Detail);
    }

    [Theory]
    [MemberData(nameof(SchedulerCalls))]
    public async Task Every_service_accepts_the_right_token(string service)
    {
        using var channel = GrpcChannels.Create(fixture.Scheduler.Url, TokenSchedulerFixture.CommandLineToken);
        var status = await CallAsync(channel, service);
        Assert.NotEqual(StatusCode.Unauthenticated, status.StatusCode);
    }

    [Theory]
    [InlineData(TokenSchedulerFixture.CommandLineToken)]
    [InlineData(TokenSchedulerFixture.EnvironmentToken)]
    [InlineData(TokenSchedulerFixture.FileToken)]
    public async Task Tokens_from_the_command_line_the_environment_and_the_token_file_are_all_accepted(string token)
    {
        using var channel = GrpcChannels.Create(fixture.Scheduler.Url, token);
        var capabilities = await new Capabilities.CapabilitiesClient(channel).GetCapabilitiesAsync(new GetCapabilitiesRequest(), deadline: DateTime.UtcNow + CallTimeout);
        Assert.NotNull(capabilities.CacheCapabilities);
    }

    [Fact]
    public async Task Every_method_of_every_scheduler_service_refuses_a_call_without_a_token()
    {
        using var channel = GrpcChannels.Create(fixture.Scheduler.Url);
        var services = new[]
        {
            Capabilities.Descriptor, ContentAddressableStorage.Descriptor, Build.Bazel.Remote.Execution.V2.ActionCache.Descriptor,
            Build.Bazel.Remote.Execution.V2.Execution.Descriptor, ByteStream.Descriptor, WorkerRegistry.Descriptor, Admin.Descriptor,
        };
        var methods = services.SelectMany(s => s.Methods).ToList();
        Assert.True(methods.Count >= 15, $"only {methods.Count} methods found");
        var accepted = new List<string>();
        foreach (var method in methods)
        {
            var status = await RawCalls.CallAsync(channel.CreateCallInvoker(), method, CallTimeout);
            if (status.StatusCode != StatusCode.Unauthenticated)
                accepted.Add($"{method.FullName}: {status.StatusCode} {status.Detail}");
        }
        Assert.True(accepted.Count == 0, "methods that did not refuse the call:\n" + string.Join('\n', accepted));
    }

    [Fact]
    public void The_tokens_never_appear_in_the_scheduler_log()
    {
        Assert.DoesNotContain(TokenSchedulerFixture.CommandLineToken, fixture.Scheduler.Output);
        Assert.DoesNotContain(TokenSchedulerFixture.EnvironmentToken, fixture.Scheduler.Output);
        Assert.DoesNotContain(TokenSchedulerFixture.FileToken, fixture.Scheduler.Output);
        Assert.Contains("bearer token", fixture.Scheduler.Output);
    }

    [Fact]
    public async Task Cli_with_the_token_works_and_without_it_prints_one_clear_error_line()
    {
        var refused = await DistBuildCli.RunAsync(["--scheduler", fixture.Scheduler.Url, "workers", "list"]);
        Assert.Equal(1, refused.ExitCode);
        var line = Assert.Single(refused.ErrorLines);
        Assert.Contains("refused", line);
        Assert.Contains("--token", line);

        var withOption = await DistBuildCli.RunAsync(["--scheduler", fixture.Scheduler.Url, "--token", TokenSchedulerFixture.CommandLineToken, "workers", "list", "--json"]);
        Assert.True(withOption.ExitCode == 0, withOption.ToString());
        Assert.Contains("workers", withOption.Stdout);

        var fromEnvironment = await DistBuildCli.RunAsync(["--scheduler", fixture.Scheduler.Url, "jobs", "list"],
            new Dictionary<string, string> { ["DISTBUILD_TOKEN"] = TokenSchedulerFixture.FileToken });
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());
        Assert.DoesNotContain(TokenSchedulerFixture.FileToken, fromEnvironment.Stdout + fromEnvironment.Stderr);
    }

    private static async Task<Status> CallAsync(Grpc.Net.Client.GrpcChannel channel, string service)
    {
        var deadline = DateTime.UtcNow + CallTimeout;
        try
        {
            switch (service)
            {
                case "Capabilities":
                    await new Capabilities.CapabilitiesClient(channel).GetCapabilitiesAsync(new GetCapabilitiesRequest(), deadline: deadline);
                    break;
                case "ContentAddressableStorage":
                    await new ContentAddressableStorage.ContentAddressableStorageClient(channel).FindMissingBlobsAsync(new FindMissingBlobsRequest(), deadline: deadline);
                    break;
                case "ActionCache":
                    await new Build.Bazel.Remote.Execution.V2.ActionCache.ActionCacheClient(channel).GetActionResultAsync(
                        new GetActionResultRequest { ActionDigest = DistBuild.Protocol.Digests.Digests.Compute("no such action"u8) }, deadline: deadline);
                    break;
                case "Execution":
                    using (var call = new Build.Bazel.Remote.Execution.V2.Execution.ExecutionClient(channel).Execute(
                        new ExecuteRequest { ActionDigest = DistBuild.Protocol.Digests.Digests.Compute("no such action"u8) }, deadline: deadline))
                    {
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }
                    break;
                case "ByteStream":
                    await new ByteStream.ByteStreamClient(channel).QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = "uploads/x/blobs/0/0" }, deadline: deadline);
                    break;
                case "WorkerRegistry":
                    await new WorkerRegistry.WorkerRegistryClient(channel).HeartbeatAsync(new HeartbeatRequest { WorkerId = "nobody" }, deadline: deadline);
                    break;
                case "Admin":
                    await new Admin.AdminClient(channel).ListWorkersAsync(new ListWorkersRequest(), deadline: deadline);
                    break;
                default:
                    throw new ArgumentException(service);
            }
            return Status.DefaultSuccess;
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }
}
