using DistBuild.Protocol.Admin;
using DistBuild.Protocol.Cas;
using DistBuild.Protocol.Channels;
using Grpc.Net.Client;

namespace DistBuild.Cli.Commands;

/// <summary>A channel to the scheduler and the clients the commands use on it.</summary>
public sealed class SchedulerConnection : IDisposable
{
    /// <summary>REAPI instance the CLI works in; our scheduler serves the default (empty) instance.</summary>
    public const string InstanceName = "";

    /// <summary>No admin call should take long; this keeps a stuck scheduler from hanging the CLI.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel _channel;

    private SchedulerConnection(string url, GrpcChannel channel)
    {
        Url = url;
        _channel = channel;
        Admin = new Admin.AdminClient(channel);
        Cas = new CasClient(channel, InstanceName);
        Execution = new Build.Bazel.Remote.Execution.V2.Execution.ExecutionClient(channel);
    }

    public string Url { get; }
    public Admin.AdminClient Admin { get; }
    public CasClient Cas { get; }
    public Build.Bazel.Remote.Execution.V2.Execution.ExecutionClient Execution { get; }

    public static DateTime Deadline => DateTime.UtcNow + CallTimeout;

    public static SchedulerConnection Open(string url, string? token = null, string? caCertificate = null)
    {
        try
        {
            return new SchedulerConnection(url, GrpcChannels.Create(url, token, caCertificate));
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
    }

    public void Dispose() => _channel.Dispose();
}
