namespace DistBuild.Worker.Hosting;

/// <summary>The short command-line options and the configuration keys they set; everything else is `--Worker:X=Y`.</summary>
public static class WorkerCommandLine
{
    public static readonly Dictionary<string, string> SwitchMappings = new()
    {
        ["--scheduler"] = $"{WorkerOptions.Section}:{nameof(WorkerOptions.Scheduler)}",
        ["--id"] = $"{WorkerOptions.Section}:{nameof(WorkerOptions.Id)}",
        ["--port"] = $"{WorkerOptions.Section}:{nameof(WorkerOptions.Port)}",
    };
}
