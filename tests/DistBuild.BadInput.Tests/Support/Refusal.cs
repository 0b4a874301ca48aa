using Grpc.Core;

namespace DistBuild.BadInput.Tests.Support;

/// <summary>Assertions on how a server refused a request: the specific status, a message naming the problem, no internals.</summary>
public static class Refusal
{
    /// <summary>Runs the call and asserts it fails with <paramref name="code"/> and a detail containing every fragment.</summary>
    public static async Task<RpcException> AssertAsync(StatusCode code, Func<Task> call, params string[] fragments)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        AssertStatus(code, e.StatusCode, e.Status.Detail, fragments);
        return e;
    }

    /// <summary>The same checks on a status carried inside a response (batch entries, ExecuteResponse.status).</summary>
    public static void AssertStatus(StatusCode expected, StatusCode actual, string detail, params string[] fragments)
    {
        Assert.True(expected == actual, $"expected {expected}, got {actual}: {detail}");
        AssertNoInternals(detail);
        foreach (var fragment in fragments)
            Assert.True(detail.Contains(fragment, StringComparison.OrdinalIgnoreCase), $"the message does not mention '{fragment}': {detail}");
    }

    public static void AssertStatus(StatusCode expected, Google.Rpc.Status status, params string[] fragments) =>
        AssertStatus(expected, (StatusCode)status.Code, status.Message, fragments);

    /// <summary>A message for a client never carries a stack trace, an exception type, or grpc-dotnet's generic text.</summary>
    public static void AssertNoInternals(string detail)
    {
        Assert.False(string.IsNullOrWhiteSpace(detail), "the status carries no message");
        Assert.DoesNotContain("Exception was thrown by handler", detail);
        Assert.DoesNotContain("   at ", detail);
        Assert.DoesNotContain("Exception:", detail);
        Assert.DoesNotContain(".cs:line", detail);
    }
}
