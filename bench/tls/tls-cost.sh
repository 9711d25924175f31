#!/usr/bin/env bash
# tls-cost.sh — what TLS costs a mount, measured with fsbench in one interleaved sitting (npm run bench:tls).
#
#   bench/tls/tls-cost.sh [--rounds R] [--quick]
#
# Starts two local clusters side by side with `mooseng cluster up` (1 master, 3 chunkservers with one disk each, one
# mount, goal 2), one as cluster up makes it (node.tls on every node: today Raft and the data plane, and whatever link
# gets TLS next) and one with --no-tls; then runs bench/moosefs/fsbench.sh R times (default 3) on each, interleaved
# (off, on, off, on ...), and prints a table of medians with every figure TLS-on over TLS-off (1.00: no cost; for
# ls_5000_ms lower is better), and the medians as JSON (also written to RESULTS_DIR/<stamp>_tls_summary.json).
# --quick shortens fsbench (FSBENCH_CAP_S=20, FSBENCH_RAND_S=10, fewer metadata files) for a first look.
# Everything it started is stopped at the end, also on failure or Ctrl-C. Needs root (fsbench drops caches) and fio.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
FSBENCH="$ROOT/bench/moosefs/fsbench.sh"
ROUNDS=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --quick) export FSBENCH_CAP_S=20 FSBENCH_RAND_S=10 FSBENCH_N_META=1000 FSBENCH_N_SMALL=500; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "tls-cost.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
die() { echo "tls-cost.sh: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (fsbench drops caches)"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds wants a positive number"
command -v fio >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fio >/dev/null

STAMP=$(date -u +%Y-%m-%dT%H%MZ)
RES=${RESULTS_DIR:-/tmp/mooseng-bench-results}
mkdir -p "$RES"
P="$RES/${STAMP}"
WORK=$(mktemp -d /tmp/tls-cost.XXXXXX)
clusters=()
cleanup() {
  set +e
  for c in "${clusters[@]}"; do node "$ROOT/cli/bin/run.js" cluster down --dir "$c" >/dev/null 2>&1; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

(cd "$ROOT" && npx tsc -b >/dev/null)
declare -A mounts
port=${TLS_COST_BASE_PORT:-9421}
for mode in off on; do
  dir="$WORK/tls-$mode"
  flag=$([[ $mode == on ]] && echo --tls || echo --no-tls)
  node "$ROOT/cli/bin/run.js" cluster up --dir "$dir" --masters 1 --chunkservers 3 --disks 1 --clients 1 --goal 2 \
    --base-port "$port" --cluster-id "tls-$mode" "$flag" >"${P}_tls-$mode-up.log" 2>&1 ||
    { cat "${P}_tls-$mode-up.log"; die "mooseng cluster up ($flag) failed"; }
  clusters+=("$dir")
  mounts[$mode]="$dir/mnt/client1"
  mountpoint -q "${mounts[$mode]}" || die "no mount at ${mounts[$mode]}"
  port=$((port + 10000))
done
grep -q 'caFile' "$WORK/tls-on/config/cs1.yaml" || die "the TLS cluster's chunkserver has no node.tls"
! grep -q 'caFile' "$WORK/tls-off/config/cs1.yaml" || die "the --no-tls cluster's chunkserver has node.tls"
echo "TLS off: ${mounts[off]}  TLS on: ${mounts[on]}"
echo "rounds: $ROUNDS  load: $(cut -d' ' -f1-3 /proc/loadavg)  results: ${P}_*"

files=()
for ((r = 1; r <= ROUNDS; r++)); do
  for mode in off on; do
    out="${P}_tls-${mode}_run$r.txt"
    "$FSBENCH" "${mounts[$mode]}" "tls-$mode" >"$out" 2>&1 || die "fsbench failed with TLS $mode ($out)"
    files+=("$out")
  done
  echo "round $r done  load: $(cut -d' ' -f1-3 /proc/loadavg)"
done

SUMMARY_JSON="${P}_tls_summary.json" node "$ROOT/bench/moosefs/summarize.js" tls-off "${files[@]}" | tee "${P}_tls_summary.md"
echo
cat "${P}_tls_summary.json"
