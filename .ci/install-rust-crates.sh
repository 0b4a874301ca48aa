#!/usr/bin/env bash
# Installs the Debian-packaged Rust crate sources (librust-*-dev) that the
# samples need. They land in /usr/share/cargo/registry, which
# samples/realistic/.cargo/config.toml uses as an offline directory source
# replacing crates.io (crates.io itself is not reachable from CI).
#
# The list below is exactly the set of packages in samples/realistic/Cargo.lock
# (one Debian package per locked crate, including the Windows-only winapi crates,
# which cargo needs for resolution even though it never builds them on Linux).
# samples/workspace and samples/native-lib have no external dependencies.
# apt's Depends pull in some more librust-*-dev packages; that is harmless.
#
# Idempotent: does nothing (and never touches apt) when all are installed.
# Runs non-interactively as root (CI=true, no stdin); uses sudo otherwise.
set -euo pipefail

PACKAGES=(
  librust-aho-corasick-dev
  librust-anyhow-dev
  librust-atty-dev
  librust-bitflags-dev
  librust-cfg-if-dev
  librust-clap-dev
  librust-clap-derive-dev
  librust-clap-lex-dev
  librust-either-dev
  librust-env-logger-dev
  librust-getrandom-dev
  librust-heck-dev
  librust-itertools-dev
  librust-itoa-dev
  librust-libc-dev
  librust-log-dev
  librust-memchr-dev
  librust-once-cell-dev
  librust-os-str-bytes-dev
  librust-ppv-lite86-dev
  librust-proc-macro-error-dev
  librust-proc-macro-error-attr-dev
  librust-proc-macro2-dev
  librust-quote-dev
  librust-rand-dev
  librust-rand-chacha-dev
  librust-rand-core-dev
  librust-regex-dev
  librust-regex-syntax-dev
  librust-ryu-dev
  librust-serde-dev
  librust-serde-derive-dev
  librust-serde-json-dev
  librust-strsim-dev
  librust-syn-dev
  librust-syn-mid-dev
  librust-termcolor-dev
  librust-thiserror-dev
  librust-thiserror-impl-dev
  librust-unicode-ident-dev
  librust-version-check-dev
  librust-winapi-dev
  librust-winapi-i686-pc-windows-gnu-dev
  librust-winapi-util-dev
  librust-winapi-x86-64-pc-windows-gnu-dev
)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "install-rust-crates: must run as root (or with passwordless sudo)" >&2
    exit 1
  fi
fi

# One dpkg-query call for all packages (fast); unknown packages print nothing.
declare -A installed=()
while read -r name status; do
  [ "${status:0:2}" = "ii" ] && installed["$name"]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)

missing=()
for p in "${PACKAGES[@]}"; do
  if [ -z "${installed[$p]:-}" ]; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-rust-crates: all ${#PACKAGES[@]} librust-*-dev packages already installed"
  exit 0
fi

echo "install-rust-crates: installing ${#missing[@]} package(s): ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive
apt_install() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
}

# Refresh the package lists first only if apt does not know some package
# (e.g. a fresh machine whose lists were never downloaded).
need_update=0
for p in "${missing[@]}"; do
  candidate="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
  if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
    need_update=1
    break
  fi
done
if [ "$need_update" -eq 1 ]; then
  "${SUDO[@]}" apt-get update </dev/null
fi

# A stale package list can also make downloads fail (404): update and retry once.
if ! apt_install; then
  echo "install-rust-crates: install failed; running apt-get update and retrying" >&2
  "${SUDO[@]}" apt-get update </dev/null
  apt_install
fi

if [ ! -d /usr/share/cargo/registry ]; then
  echo "install-rust-crates: /usr/share/cargo/registry is missing after install" >&2
  exit 1
fi
echo "install-rust-crates: done"
