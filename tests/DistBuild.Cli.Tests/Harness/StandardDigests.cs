using System.Security.Cryptography;
using Build.Bazel.Remote.Execution.V2;
using Google.Protobuf;

namespace DistBuild.Cli.Tests.Harness;

/// <summary>REAPI digests computed as the standard defines them (SHA-256 lowercase hex and size), independently of DistBuild's own code.</summary>
public static class StandardDigests
{
    public static Digest Of(ByteString data) =>
        new() { Hash = Convert.ToHexStringLower(SHA256.HashData(data.Span)), SizeBytes = data.Length };
}
