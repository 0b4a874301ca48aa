using DistBuild.Protocol.Toolchains;

namespace DistBuild.Worker.Toolchains;

/// <summary>The rustc this worker runs jobs with: its resolved path and the identity `rustc -vV` reported.</summary>
public sealed record WorkerToolchain(string RustcPath, RustToolchain Identity);
