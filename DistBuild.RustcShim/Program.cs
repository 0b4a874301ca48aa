// distbuild-rustc-shim: cargo's RUSTC_WRAPPER. Cargo runs `SHIM /path/to/rustc ARGS…`; the shim hands the call to the
// coordinator named by DISTBUILD_COORDINATOR and replays its answer, or runs rustc itself when told to (probes such as
// -vV and --print, which may read stdin) and whenever no coordinator is there, so a stray shim never breaks a build.
using DistBuild.Coordinator.Compilation;
using DistBuild.RustcShim;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: distbuild-rustc-shim RUSTC [ARGS…] (cargo calls it as RUSTC_WRAPPER)");
    return 2;
}

var rustc = args[0];
var rustcArguments = args[1..];
var socketPath = Environment.GetEnvironmentVariable(ShimProtocol.CoordinatorVariable);
var response = string.IsNullOrEmpty(socketPath)
    ? null
    : CoordinatorClient.TrySend(socketPath, new ShimRequest(rustc, rustcArguments, Environment.CurrentDirectory, CoordinatorClient.CurrentEnvironment()));

if (response is null || response.RunLocally)
    return LocalRustc.Run(rustc, rustcArguments);

return ResultReplay.Write(response);
