using System.Text.Json;
using DistBuild.Cli.Output;
using DistBuild.Protocol.Admin;
using Google.Protobuf.WellKnownTypes;

namespace DistBuild.Cli.Tests.Output;

public sealed class OutputFormattingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static Job FailedCompile() => new()
    {
        JobId = "job-42",
        State = JobState.Failed,
        Description = "rustc main (bin)",
        WorkerId = "worker-1",
        Attempts = 1,
        CreatedAt = Timestamp.FromDateTimeOffset(Now.AddSeconds(-10)),
        StartedAt = Timestamp.FromDateTimeOffset(Now.AddSeconds(-9)),
        FinishedAt = Timestamp.FromDateTimeOffset(Now.AddSeconds(-7.5)),
        ExitCode = 1,
        Error = "error: expected `[`, found `DistBuild`\n --> main.rs:1:3",
    };

    [Fact]
    public void Tables_align_every_column_under_its_header()
    {
        var writer = new StringWriter();

        TableWriter.Write(writer, ["ID", "STATE", "NOTE"], [["a", "RUNNING", "x"], ["long-id", "PENDING", "y"]]);

        var lines = writer.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        var stateColumn = lines[0].IndexOf("STATE", StringComparison.Ordinal);
        Assert.All(lines[1..], line => Assert.Equal(stateColumn, line.IndexOf(line.Contains("RUNNING") ? "RUNNING" : "PENDING", StringComparison.Ordinal)));
        Assert.All(lines, line => Assert.Equal(line.TrimEnd(), line));
    }

    [Fact]
    public void Job_json_uses_stable_snake_case_names_and_proto_state_names()
    {
        var writer = new StringWriter();

        JobOutput.WriteJson(writer, JobView.From(FailedCompile()));

        var json = JsonDocument.Parse(writer.ToString()).RootElement;
        Assert.Equal("job-42", json.GetProperty("job_id").GetString());
        Assert.Equal("FAILED", json.GetProperty("state").GetString());
        Assert.Equal("worker-1", json.GetProperty("worker_id").GetString());
        Assert.Equal(1, json.GetProperty("attempts").GetInt32());
        Assert.Equal(1, json.GetProperty("exit_code").GetInt32());
        Assert.False(json.GetProperty("cached").GetBoolean());
        Assert.Contains("expected `[`", json.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("waiting_reason").ValueKind);
        Assert.Equal(Now.AddSeconds(-10), json.GetProperty("created_at").GetDateTimeOffset());
    }

    [Fact]
    public void An_unfinished_job_has_no_exit_code_and_no_times_it_has_not_reached()
    {
        var job = JobView.From(new Job { JobId = "j", State = JobState.Pending, CreatedAt = Timestamp.FromDateTimeOffset(Now) });

        Assert.Equal("PENDING", job.State);
        Assert.Null(job.ExitCode);
        Assert.Null(job.StartedAt);
        Assert.Null(job.FinishedAt);
    }

    [Fact]
    public void Job_details_show_state_worker_times_and_the_compiler_message()
    {
        var writer = new StringWriter();

        JobOutput.WriteDetails(writer, JobView.From(FailedCompile()), Now);

        var text = writer.ToString();
        Assert.Contains("State:", text);
        Assert.Contains("FAILED", text);
        Assert.Contains("worker-1", text);
        Assert.Contains("1.5s", text);
        Assert.Contains("    error: expected `[`, found `DistBuild`", text);
        Assert.Contains("     --> main.rs:1:3", text);
    }

    [Fact]
    public void Worker_table_shows_busy_slots_toolchain_and_heartbeat_age()
    {
        var worker = new Worker
        {
            WorkerId = "worker-7",
            Address = "http://127.0.0.1:6001",
            Slots = 4,
            BusySlots = 1,
            LastHeartbeat = Timestamp.FromDateTimeOffset(Now.AddSeconds(-3)),
            Platform = Protocol.Toolchains.RustToolchain.Parse("release: 1.95.0\ncommit-hash: abc\nhost: x86_64-unknown-linux-gnu\n").ToPlatform(),
        };
        worker.RunningJobIds.Add("job-1");
        var writer = new StringWriter();

        WorkerOutput.WriteTable(writer, [WorkerView.From(worker)], Now);

        var row = writer.ToString().Split(Environment.NewLine)[1];
        Assert.Contains("worker-7", row);
        Assert.Contains("1/4", row);
        Assert.Contains("rustc 1.95.0 x86_64-unknown-linux-gnu", row);
        Assert.Contains("3.0s ago", row);
        Assert.Contains("job-1", row);
    }

    [Fact]
    public void Worker_json_lists_workers_under_a_workers_property()
    {
        var writer = new StringWriter();

        WorkerOutput.WriteJson(writer, [WorkerView.From(new Worker { WorkerId = "w", Slots = 2 })]);

        var worker = Assert.Single(JsonDocument.Parse(writer.ToString()).RootElement.GetProperty("workers").EnumerateArray());
        Assert.Equal("w", worker.GetProperty("worker_id").GetString());
        Assert.Equal(2, worker.GetProperty("slots").GetInt32());
        Assert.Equal(0, worker.GetProperty("busy_slots").GetInt32());
    }

    [Fact]
    public void Empty_lists_say_so()
    {
        var writer = new StringWriter();

        WorkerOutput.WriteTable(writer, [], Now);
        JobOutput.WriteTable(writer, [], Now);

        Assert.Equal($"No workers registered.{Environment.NewLine}No jobs.{Environment.NewLine}", writer.ToString());
    }
}
