#!/usr/bin/env bash
# Installs bubblewrap (/usr/bin/bwrap), the sandbox DistBuild workers run rustc in
# (Worker:Sandbox=Bubblewrap, the default). The security tests need it; without it
# the embedded default and the other tests fall back to unsandboxed jobs.
#
# Idempotent: does nothing (and never touches apt) when bwrap is installed.
# Runs non-interactively as root (CI=true, no stdin); uses sudo otherwise.
set -euo pipefail

if command -v bwrap >/dev/null 2>&1; then
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "install-sandbox: must run as root (or with passwordless sudo) to install bubblewrap" >&2
    exit 1
  fi
fi

echo "install-sandbox: installing bubblewrap" >&2
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bubblewrap >/dev/null \
  || { "${SUDO[@]}" apt-get update -q >/dev/null && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bubblewrap >/dev/null; }
command -v bwrap >/dev/null 2>&1 || { echo "install-sandbox: bwrap is still missing after installing bubblewrap" >&2; exit 1; }
