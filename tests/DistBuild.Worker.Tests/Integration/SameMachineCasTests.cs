using System.Diagnostics;
using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Channels;
using DistBuild.Protocol.Execution;
using DistBuild.Testing;
using static DistBuild.Testing.FileIdentity;

namespace DistBuild.Worker.Tests.Integration;

/// <summary>
/// A worker on the scheduler's machine given the scheduler's CAS directory (Worker:SchedulerCasDirectory, as the
/// embedded default runs it): real rustc jobs whose blobs move on disk, and a misconfigured directory that must not
/// lose a result.
/// </summary>
public sealed class SameMachineCasTests
{
    private static readonly TimeSpan JobWait = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Outputs_are_linked_into_the_schedulers_cas_and_a_dependent_job_builds_from_it()
    {
        var data = TemporaryDirectory.Create("same-machine-scheduler");
        var casDirectory = LocalCasDirectory.InDataDirectory(data);
        await using var hosts = await Hosts.StartAsync(data, casDirectory);

        var library = new RustAction("greeting", """pub fn greet() -> &'static str { "hello through the shared CAS" }""", library: true);
        var built = await hosts.ExecuteAsync(library);
        Assert.True(built.Result.ExitCode == 0, built.Result.StderrRaw.ToStringUtf8());
        var rlib = built.Result.OutputFiles.Single(f => f.Path == library.BinaryPath).Digest;

        // The rlib is one file on disk, shared by the scheduler's CAS and the worker's blob cache: no bytes were
        // copied; so is the source the worker took out of the CAS.
        Assert.Equal(Inode(CacheFile(hosts, rlib)), Inode(LocalCasDirectory.BlobPath(casDirectory, rlib.Hash)));
        var source = Protocol.Digests.Digests.Compute(System.Text.Encoding.UTF8.GetBytes(library.Source));
        Assert.Equal(Inode(CacheFile(hosts, source)), Inode(LocalCasDirectory.BlobPath(casDirectory, source.Hash)));

        var app = new RustAction("app", """fn main() { println!("{}", greeting::greet()); }""");
        app.AddExtern("greeting", library.BinaryPath, rlib);
        var response = await hosts.ExecuteAsync(app);
        Assert.True(response.Result.ExitCode == 0, response.Result.StderrRaw.ToStringUtf8());

        // A client elsewhere still gets every output through gRPC, the executable with its bit.
        var binary = response.Result.OutputFiles.Single(f => f.Path == app.BinaryPath);
        Assert.True(binary.IsExecutable);
        var local = Path.Combine(TemporaryDirectory.Create("same-machine-bin"), "app");
        await hosts.Cas.DownloadFilesAsync([new FileDownload(binary.Digest, local, binary.IsExecutable)], CancellationToken.None);
        Assert.Equal("hello through the shared CAS\n", Run(local));
    }

    [Fact]
    public async Task A_directory_that_is_not_the_schedulers_loses_nothing_the_outputs_are_uploaded_through_grpc()
    {
        var elsewhere = TemporaryDirectory.Create("not-the-schedulers-cas");
        await using var hosts = await Hosts.StartAsync(TemporaryDirectory.Create("same-machine-scheduler"), elsewhere);

        var action = new RustAction("hello", """fn main() { println!("hello despite the wrong directory"); }""");
        var response = await hosts.ExecuteAsync(action);

        Assert.True(response.Result.ExitCode == 0, response.Result.StderrRaw.ToStringUtf8());
        Assert.Empty(await hosts.Cas.FindMissingAsync(response.Result.OutputFiles.Select(f => f.Digest), CancellationToken.None));
        var binary = response.Result.OutputFiles.Single(f => f.Path == action.BinaryPath);
        var local = Path.Combine(TemporaryDirectory.Create("same-machine-bin"), "hello");
        await hosts.Cas.DownloadFilesAsync([new FileDownload(binary.Digest, local, binary.IsExecutable)], CancellationToken.None);
        Assert.Equal("hello despite the wrong directory\n", Run(local));
    }

    private static string CacheFile(Hosts hosts, Digest digest) =>
        Path.Combine(hosts.WorkDirectory, "blobs", digest.Hash[..2], $"{digest.Hash}_{digest.SizeBytes}");

    private static string Run(string path)
    {
        using var process = Process.Start(new ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), $"{path} did not exit");
        return output;
    }

    private sealed class Hosts : IAsyncDisposable
    {
        private readonly HostProcess _scheduler;
        private readonly HostProcess _worker;
        private readonly Grpc.Net.Client.GrpcChannel _channel;

        private Hosts(HostProcess scheduler, HostProcess worker, string workDirectory)
        {
            _scheduler = scheduler;
            _worker = worker;
            WorkDirectory = workDirectory;
            _channel = GrpcChannels.Create(scheduler.Url);
            Cas = new CasClient(_channel, "");
        }

        public string WorkDirectory { get; }

        public CasClient Cas { get; }

        public static async Task<Hosts> StartAsync(string schedulerData, string schedulerCasDirectory)
        {
            var scheduler = await TestHosts.StartSchedulerAsync(schedulerData);
            var workDirectory = TemporaryDirectory.Create("same-machine-worker");
            var worker = await TestHosts.StartWorkerAsync(scheduler.Url, "same-machine", "--Worker:Slots=1", $"--Worker:WorkDirectory={workDirectory}",
                $"--Worker:SchedulerCasDirectory={schedulerCasDirectory}");
            return new Hosts(scheduler, worker, workDirectory);
        }

        public async Task<ExecuteResponse> ExecuteAsync(RustAction action)
        {
            var (digest, _, blobs) = action.Build();
            using var cancel = new CancellationTokenSource(JobWait);
            await Cas.UploadMissingAsync(blobs, cancel.Token);
            return await new RemoteExecutor(_channel).ExecuteAsync(new ExecuteRequest { ActionDigest = digest, SkipCacheLookup = true }, (_, _) => Task.CompletedTask, null, cancel.Token);
        }

        public async ValueTask DisposeAsync()
        {
            _channel.Dispose();
            await _worker.DisposeAsync();
            await _scheduler.DisposeAsync();
        }
    }
}
