#!/usr/bin/env bash
# The two entry points README documents:
#   ./build.sh sample   installs what is missing, packs DistBuild.Sdk, builds the workspace sample with
#                       `dotnet build` on the embedded default scheduler, and runs the binary it built.
#   ./build.sh test     installs what is missing, builds the solution and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"

configuration=Release

install_prerequisites() {
  # Debian's crate sources for the realistic sample and its tests (no crates.io here).
  .ci/install-rust-crates.sh
  # bubblewrap, the sandbox workers run rustc in (docs/security.md).
  .ci/install-sandbox.sh
  export PATH="$HOME/.cargo/bin:$PATH"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
}

pack_sdk() {
  # Only DistBuild.Sdk is packable; its project references build the tasks, hosts and shim it carries.
  dotnet pack DistBuild.Sdk/DistBuild.Sdk.csproj -c "$configuration" -o artifacts/packages -nodeReuse:false
}

case "${1:-}" in
  sample)
    install_prerequisites
    pack_sdk
    # NuGet caches a package by version: drop the samples' copy so the package just packed is the one used.
    rm -rf artifacts/samples-packages/distbuild.sdk
    dotnet build samples/HelloWorkspace/HelloWorkspace.proj -c "$configuration" -nodeReuse:false
    echo "--- running the binary dotnet build produced:"
    samples/HelloWorkspace/bin/"$configuration"/net10.0/hello
    ;;
  test)
    install_prerequisites
    dotnet build DistBuild.sln -c "$configuration" -nodeReuse:false
    # The shim's own unit tests (its wire format); the .NET tests run the built shim against the coordinator.
    RUSTC_WRAPPER= cargo test --manifest-path DistBuild.RustcShim/Cargo.toml --target-dir DistBuild.RustcShim/obj/cargo --locked --offline --quiet
    dotnet test DistBuild.sln -c "$configuration" --no-build -nodeReuse:false \
      --logger "console;verbosity=normal" --blame-hang-timeout 10m
    ;;
  *)
    echo "usage: ./build.sh sample | test" >&2
    exit 2
    ;;
esac
