using Build.Bazel.Remote.Execution.V2;
using DistBuild.Protocol.Digests;
using DistBuild.Protocol.Toolchains;
using DistBuild.Scheduler.ActionCache;
using DistBuild.Scheduler.Cas;
using DistBuild.Scheduler.Execution;
using DistBuild.Scheduler.Workers;
using DistBuild.Testing;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Action = Build.Bazel.Remote.Execution.V2.Action;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace DistBuild.Scheduler.Tests.Support;

/// <summary>The scheduler's plain classes wired together on a fake clock and a temporary data directory, as the host wires them.</summary>
public sealed class SchedulerParts
{
    public static readonly RustToolchain Toolchain = new("1.95.0", "abc123", "x86_64-unknown-linux-gnu");

    public SchedulerParts(SchedulerOptions? options = null)
    {
        Options = options ?? new SchedulerOptions();
        Options.DataDirectory = TemporaryDirectory.Create("scheduler-unit");
        var wrapped = MsOptions.Create(Options);
        Cas = new ContentStore(Path.Combine(Options.DataDirectory, "cas"), Options.CasMaxBytes, Options.MaxBlobBytes, NullLogger<ContentStore>.Instance, Time);
        Cache = new ActionCacheStore(Path.Combine(Options.DataDirectory, "ac"), Cas, NullLogger<ActionCacheStore>.Instance);
        Workers = new WorkerRegistry(Time, NullLogger<WorkerRegistry>.Instance);
        Scheduler = new JobScheduler(Workers, Cache, Cas, wrapped, Time, NullLogger<JobScheduler>.Instance);
        Liveness = new LivenessMonitor(Workers, Scheduler, wrapped, NullLogger<LivenessMonitor>.Instance);
        Loader = new ActionLoader(Cas, wrapped);
    }

    public SchedulerOptions Options { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public ContentStore Cas { get; }
    public ActionCacheStore Cache { get; }
    public WorkerRegistry Workers { get; }
    public JobScheduler Scheduler { get; }
    public LivenessMonitor Liveness { get; }
    public ActionLoader Loader { get; }

    public void RegisterWorker(string id, int slots = 2, Platform? platform = null) =>
        Scheduler.OnWorkerRegistered(id, Workers.Register(id, $"http://127.0.0.1:1/{id}", slots, platform ?? Toolchain.ToPlatform()));

    /// <summary>A rustc action with the given crate name (so each name gives a distinct action digest).</summary>
    public static LoadedAction Action(string crate = "hello", Platform? platform = null, TimeSpan? timeout = null, bool doNotCache = false)
    {
        var command = new Command { Arguments = { "rustc", "--crate-name", crate, "--crate-type", "lib", "src/lib.rs" }, OutputPaths = { $"lib{crate}.rmeta", $"lib{crate}.rlib" } };
        var action = new Action
        {
            CommandDigest = Digests.Compute(command),
            InputRootDigest = Digests.Compute(new Build.Bazel.Remote.Execution.V2.Directory()),
            DoNotCache = doNotCache,
            Platform = platform ?? Toolchain.ToPlatform(),
        };
        return new LoadedAction(Digests.Compute(action), action, command, action.Platform, timeout ?? TimeSpan.FromMinutes(10), JobDescription.Of(command));
    }

    /// <summary>Stores bytes in the CAS and returns their digest.</summary>
    public Digest Put(string text) => Put(ByteString.CopyFromUtf8(text));

    public Digest Put(ByteString data)
    {
        var digest = Digests.Compute(data.Span);
        Cas.Write(digest, data.Span);
        return digest;
    }
}
