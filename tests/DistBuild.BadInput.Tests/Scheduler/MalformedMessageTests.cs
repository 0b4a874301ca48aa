using DistBuild.BadInput.Tests.Support;
using Grpc.Core;

namespace DistBuild.BadInput.Tests.Scheduler;

/// <summary>Bytes that are not a protobuf message, sent to every RPC of the scheduler and the worker.</summary>
[Collection(FarmCollection.Name)]
public sealed class MalformedMessageTests(Farm farm)
{
    public enum Kind { Unary, ServerStreaming, ClientStreaming }

    public enum Host { Scheduler, Worker }

    /// <summary>Every RPC each host serves.</summary>
    public static readonly (string Method, Kind Kind, Host Host)[] Methods =
    [
        ("/build.bazel.remote.execution.v2.Capabilities/GetCapabilities", Kind.Unary, Host.Scheduler),
        ("/build.bazel.remote.execution.v2.ContentAddressableStorage/FindMissingBlobs", Kind.Unary, Host.Scheduler),
        ("/build.bazel.remote.execution.v2.ContentAddressableStorage/BatchUpdateBlobs", Kind.Unary, Host.Scheduler),
        ("/build.bazel.remote.execution.v2.ContentAddressableStorage/BatchReadBlobs", Kind.Unary, Host.Scheduler),
        ("/build.bazel.remote.execution.v2.ContentAddressableStorage/GetTree", Kind.ServerStreaming, Host.Scheduler),
        ("/build.bazel.remote.execution.v2.ActionCache/GetActionResult", Kind.Unary, Host.Scheduler),
        ("/build.bazel.remote.execution.v2.ActionCache/UpdateActionResult", Kind.Unary, Host.Scheduler),
        ("/build.bazel.remote.execution.v2.Execution/Execute", Kind.ServerStreaming, Host.Scheduler),
        ("/build.bazel.remote.execution.v2.Execution/WaitExecution", Kind.ServerStreaming, Host.Scheduler),
        ("/google.bytestream.ByteStream/Read", Kind.ServerStreaming, Host.Scheduler),
        ("/google.bytestream.ByteStream/Write", Kind.ClientStreaming, Host.Scheduler),
        ("/google.bytestream.ByteStream/QueryWriteStatus", Kind.Unary, Host.Scheduler),
        ("/google.longrunning.Operations/CancelOperation", Kind.Unary, Host.Scheduler),
        ("/distbuild.v1.WorkerRegistry/RegisterWorker", Kind.Unary, Host.Scheduler),
        ("/distbuild.v1.WorkerRegistry/Heartbeat", Kind.Unary, Host.Scheduler),
        ("/distbuild.v1.WorkerRegistry/ReportJobResult", Kind.Unary, Host.Scheduler),
        ("/distbuild.v1.WorkerRegistry/ReportEarlyOutputs", Kind.Unary, Host.Scheduler),
        ("/distbuild.v1.Admin/ListWorkers", Kind.Unary, Host.Scheduler),
        ("/distbuild.v1.Admin/ListJobs", Kind.Unary, Host.Scheduler),
        ("/distbuild.v1.Admin/GetJob", Kind.Unary, Host.Scheduler),
        ("/distbuild.v1.WorkerService/ExecuteJob", Kind.Unary, Host.Worker),
        ("/distbuild.v1.WorkerService/CancelJob", Kind.Unary, Host.Worker),
    ];

    /// <summary>The services each host maps (the scheduler's Program.cs, the worker's Program.cs).</summary>
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor[] Served =
    [
        Build.Bazel.Remote.Execution.V2.Capabilities.Descriptor,
        Build.Bazel.Remote.Execution.V2.ContentAddressableStorage.Descriptor,
        Build.Bazel.Remote.Execution.V2.ActionCache.Descriptor,
        Build.Bazel.Remote.Execution.V2.Execution.Descriptor,
        Google.ByteStream.ByteStream.Descriptor,
        Google.LongRunning.Operations.Descriptor,
        DistBuild.Protocol.Workers.WorkerRegistry.Descriptor,
        DistBuild.Protocol.Admin.Admin.Descriptor,
        DistBuild.Protocol.Workers.WorkerService.Descriptor,
    ];

    [Fact]
    public void The_table_names_every_method_of_every_service_the_hosts_serve()
    {
        var served = Served.SelectMany(s => s.Methods).Select(m => $"/{m.Service.FullName}/{m.Name}").Order().ToList();

        Assert.Equal(served, Methods.Select(m => m.Method).Order().ToList());
    }

    /// <summary>Payloads no protobuf parser accepts.</summary>
    public static readonly (string Name, byte[] Bytes)[] Garbage =
    [
        ("truncated length-delimited field", [0x0A, 0x7F, 0x01]),
        ("wire type 7", [0x0F, 0x00]),
        ("unterminated varint", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        ("field number 0", [0x00, 0x01]),
    ];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (method, _, _) in Methods)
        {
            foreach (var (name, _) in Garbage)
                data.Add(method, name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Unparseable_request_is_invalid_argument_saying_the_message_is_malformed(string method, string garbage)
    {
        var (_, kind, host) = Methods.Single(m => m.Method == method);
        var bytes = Garbage.Single(g => g.Name == garbage).Bytes;
        var channel = host == Host.Scheduler ? farm.Channel : farm.WorkerChannel;

        await Refusal.AssertAsync(StatusCode.InvalidArgument, kind switch
        {
            Kind.Unary => () => RawCalls.UnaryAsync(channel, method, bytes),
            Kind.ServerStreaming => () => RawCalls.ServerStreamingAsync(channel, method, bytes),
            _ => () => RawCalls.ClientStreamingAsync(channel, method, bytes),
        }, "malformed");

        await farm.AssertHealthyAsync();
    }
}
