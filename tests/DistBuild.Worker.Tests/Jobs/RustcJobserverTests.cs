using DistBuild.Testing;
using DistBuild.Worker.Jobs;

namespace DistBuild.Worker.Tests.Jobs;

public sealed class RustcJobserverTests
{
    private static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(5);

    private static async Task<int> ReadTokenAsync(FileStream pipe)
    {
        var token = new byte[1];
        return await pipe.ReadAsync(token).AsTask().WaitAsync(ReadWait);
    }

    [Fact]
    public async Task The_pipe_holds_one_token_fewer_than_the_slots_and_makeflags_name_it()
    {
        using var jobserver = new RustcJobserver(RustcJobserver.DirectoryIn(TemporaryDirectory.Create("jobserver")), slots: 3);
        using var pipe = new FileStream(jobserver.PipePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);

        Assert.Equal(1, await ReadTokenAsync(pipe));
        Assert.Equal(1, await ReadTokenAsync(pipe));
        var third = pipe.ReadAsync(new byte[1]).AsTask();
        Assert.NotSame(third, await Task.WhenAny(third, Task.Delay(TimeSpan.FromMilliseconds(300))));
        pipe.Write("+"u8);
        Assert.Equal(1, await third.WaitAsync(ReadWait));
        Assert.Equal($"-j3 --jobserver-auth=fifo:{jobserver.PipePath}", jobserver.MakeFlags);
    }

    [Fact]
    public async Task Renewing_puts_a_full_pipe_in_place_so_tokens_a_killed_rustc_took_come_back()
    {
        using var jobserver = new RustcJobserver(RustcJobserver.DirectoryIn(TemporaryDirectory.Create("jobserver")), slots: 2);
        var first = jobserver.PipePath;
        using (var drained = new FileStream(first, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0))
            Assert.Equal(1, await ReadTokenAsync(drained));

        jobserver.Renew();

        Assert.NotEqual(first, jobserver.PipePath);
        using var renewed = new FileStream(jobserver.PipePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        Assert.Equal(1, await ReadTokenAsync(renewed));
    }

    [Fact]
    public void A_one_slot_worker_gives_rustc_no_tokens_beyond_its_own()
    {
        using var jobserver = new RustcJobserver(RustcJobserver.DirectoryIn(TemporaryDirectory.Create("jobserver")), slots: 1);

        Assert.Equal(0, jobserver.Tokens);
        Assert.StartsWith("-j1 ", jobserver.MakeFlags);
    }
}
