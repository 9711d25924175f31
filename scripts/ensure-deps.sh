#!/usr/bin/env bash
# Installs what MooseNG needs on this machine, only where it is missing: system packages (as root, through apt),
# then node_modules (npm ci), then the TypeScript build. Sourced by the demo and test commands, and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: libfuse2 for fuse-native (the fallback mount), libfuse3-dev for the libfuse 3 addon of
# plugins/mount-fuse3 (the default mount), fuse3 for fusermount3, a C++ toolchain for the O_DIRECT addon, openssl for the cluster CA and node certificates (`mooseng certs`, `cluster up`), and the
# programs the end-to-end tests run on a mount. With `--tests`, also what the observability tests drive: a real
# Prometheus and a headless Chromium (not needed to run MooseNG, so the demo does not install them).
SYSTEM_PACKAGES=(libfuse2 fuse3 libfuse3-dev build-essential python3 git rsync sqlite3 fio attr acl util-linux openssl)
if [[ "${1:-}" == "--tests" ]]; then SYSTEM_PACKAGES+=(prometheus chromium); fi
missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "ensure-deps: installing system packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "ensure-deps: missing system packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# node_modules: (re)install when absent or older than the lockfile.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "ensure-deps: npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

# Build (incremental: a no-op when nothing changed).
npx tsc -b
