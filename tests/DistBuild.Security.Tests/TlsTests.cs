using System.Diagnostics;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Channels;
using DistBuild.Security.Tests.Support;
using DistBuild.Testing;
using Grpc.Core;

namespace DistBuild.Security.Tests;

public sealed class TlsTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_client_trusting_the_private_ca_connects_and_one_without_it_fails_at_once_with_a_certificate_error()
    {
        var certificates = TestCertificates.Create();
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, certificates.KestrelEnvironment, "--urls", "https://127.0.0.1:0");
        Assert.StartsWith("https://", scheduler.Url);

        using (var trusting = GrpcChannels.Create(scheduler.Url, caCertificatePath: certificates.CaPath))
            await new Capabilities.CapabilitiesClient(trusting).GetCapabilitiesAsync(new GetCapabilitiesRequest(), deadline: DateTime.UtcNow + CallTimeout);

        foreach (var ca in new[] { null, certificates.OtherCaPath })
        {
            using var distrusting = GrpcChannels.Create(scheduler.Url, caCertificatePath: ca);
            var watch = Stopwatch.StartNew();
            var refused = await Assert.ThrowsAsync<RpcException>(async () =>
                await new Capabilities.CapabilitiesClient(distrusting).GetCapabilitiesAsync(new GetCapabilitiesRequest(), deadline: DateTime.UtcNow + CallTimeout));
            Assert.IsType<System.Security.Authentication.AuthenticationException>(Innermost<System.Security.Authentication.AuthenticationException>(refused.Status.DebugException));
            Assert.Contains("certificate", refused.Status.DebugException!.ToString(), StringComparison.OrdinalIgnoreCase);
            // Refused by the handshake, not by the deadline.
            Assert.True(watch.Elapsed < CallTimeout / 2, $"took {watch.Elapsed}");
        }
    }

    [Fact]
    public async Task A_worker_whose_certificate_cannot_be_loaded_refuses_to_start_and_names_it()
    {
        await using var scheduler = await TestHosts.StartSchedulerAsync();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => TestHosts.StartWorkerProcessAsync(scheduler.Url, "no-certificate",
            new Dictionary<string, string> { ["Kestrel__Certificates__Default__Path"] = "/nonexistent/worker.pem", ["Kestrel__Certificates__Default__KeyPath"] = "/nonexistent/worker.key" }));
        Assert.Contains("The worker cannot start", failure.Message);
        Assert.Contains("/nonexistent/worker.pem", failure.Message);
    }

    private static T? Innermost<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T match)
                return match;
        }
        return null;
    }

    [Fact]
    public async Task The_cli_needs_the_ca_certificate_and_says_so_in_one_line()
    {
        var certificates = TestCertificates.Create();
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, certificates.KestrelEnvironment, "--urls", "https://127.0.0.1:0");

        var refused = await DistBuildCli.RunAsync(["--scheduler", scheduler.Url, "workers", "list"]);
        Assert.Equal(1, refused.ExitCode);
        var line = Assert.Single(refused.ErrorLines);
        Assert.Contains("certificate", line);
        Assert.Contains("--ca-cert", line);

        var withOption = await DistBuildCli.RunAsync(["--scheduler", scheduler.Url, "--ca-cert", certificates.CaPath, "workers", "list"]);
        Assert.True(withOption.ExitCode == 0, withOption.ToString());
        var fromEnvironment = await DistBuildCli.RunAsync(["--scheduler", scheduler.Url, "workers", "list"],
            new Dictionary<string, string> { ["DISTBUILD_CA_CERT"] = certificates.CaPath });
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());

        var missingFile = await DistBuildCli.RunAsync(["--scheduler", scheduler.Url, "--ca-cert", "/nonexistent/ca.pem", "workers", "list"]);
        Assert.Equal(1, missingFile.ExitCode);
        Assert.Contains("/nonexistent/ca.pem", Assert.Single(missingFile.ErrorLines));
    }

    [Fact]
    public async Task Scheduler_and_worker_talk_https_and_tokens_both_ways_and_a_job_runs()
    {
        const string token = "tls-token-7c2e";
        var certificates = TestCertificates.Create();
        await using var scheduler = await TestHosts.StartSchedulerAsync(null, certificates.KestrelEnvironment,
            "--urls", "https://127.0.0.1:0", $"--Auth:Tokens:0={token}", $"--Auth:WorkerCaCertificate={certificates.CaPath}");
        await using var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "tls-worker", certificates.KestrelEnvironment,
            $"--Worker:Token={token}", $"--Worker:CaCertificate={certificates.CaPath}");
        Assert.StartsWith("https://", worker.Url);

        using var channel = GrpcChannels.Create(scheduler.Url, token, certificates.CaPath);
        var source = Path.Combine(TemporaryDirectory.Create("tls-job"), "lib.rs");
        await File.WriteAllTextAsync(source, "pub fn answer() -> u32 { 42 }\n");
        var action = RustActions.Prepare(Path.GetDirectoryName(source)!, [source],
            ["rustc", "--crate-name", "answer", "--edition", "2021", "--crate-type", "lib", "lib.rs", "--out-dir", "out"], ["out/libanswer.rlib"]);
        var response = await RustActions.ExecuteAsync(channel, action, TimeSpan.FromSeconds(120));
        Assert.True(response.Status is null || response.Status.Code == 0, $"the job failed: {response.Status}\n{scheduler.Output}\n{worker.Output}");
        Assert.Equal(0, response.Result.ExitCode);
    }
}
