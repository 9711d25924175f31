#!/usr/bin/env bash
# vs-moosefs.sh — MooseNG against MooseFS on this machine, in one interleaved sitting (npm run bench:vs-moosefs).
#
#   bench/moosefs/vs-moosefs.sh [--masters LIST] [--rounds R]
#
# Starts, side by side:
#   - a MooseFS cluster from Debian's packages (moosefs-cluster.sh: 1 master, 3 chunkservers, one mfsmount, goal 2);
#   - for each N in LIST (default "1,3"), a MooseNG cluster (`mooseng cluster up`: N masters on Raft, 3 chunkservers
#     with one disk each, one mount, goal 2, the embedded defaults: fsync on in Raft, storage-fs fsync on close);
# then runs fsbench.sh R times (default 2) on each, interleaved: raw disk, MooseFS, MooseNG-1, MooseNG-3, raw disk,
# MooseFS ... and prints a table of medians with every figure over MooseFS's (above 1 is better than MooseFS,
# except ls_5000_ms where lower is better), and the medians as JSON (also written to RESULTS_DIR/<stamp>_summary.json).
# Everything it started is stopped at the end, also on failure or Ctrl-C. Installs fio and the MooseFS packages when
# missing (needs root: MooseFS runs in a private network namespace, drop_caches needs root too).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MASTERS=1,3
ROUNDS=2
while [[ $# -gt 0 ]]; do
  case $1 in
    --masters) MASTERS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "vs-moosefs.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
die() { echo "vs-moosefs.sh: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (MooseFS runs in a network namespace; fsbench drops caches)"
[[ $MASTERS =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--masters wants a comma-separated list of master counts, e.g. 1,3"

missing=()
command -v fio >/dev/null || missing+=(fio)
{ command -v mfsmaster && command -v mfscli; } >/dev/null || missing+=(moosefs-master moosefs-chunkserver moosefs-client moosefs-cli)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

STAMP=$(date -u +%Y-%m-%dT%H%MZ)
RES=${RESULTS_DIR:-/tmp/mooseng-bench-results}
mkdir -p "$RES"
P="$RES/${STAMP}"
WORK=$(mktemp -d /tmp/vs-moosefs.XXXXXX)
RAW_DIR="$WORK/raw"
mkdir -p "$RAW_DIR"
clusters=()
mfs_up=0
cleanup() {
  set +e
  for c in "${clusters[@]}"; do node "$ROOT/cli/bin/run.js" cluster down --dir "$c" >/dev/null 2>&1; done
  [[ $mfs_up == 1 ]] && "$HERE/moosefs-cluster.sh" purge >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

(cd "$ROOT" && npx tsc -b >/dev/null)
declare -A mounts
port=9421
IFS=, read -ra counts <<<"$MASTERS"
for n in "${counts[@]}"; do
  dir="$WORK/mooseng-${n}m"
  node "$ROOT/cli/bin/run.js" cluster up --dir "$dir" --masters "$n" --chunkservers 3 --disks 1 --clients 1 --goal 2 \
    --base-port "$port" --cluster-id "bench-${n}m" >"${P}_mooseng-${n}m-up.log" 2>&1 ||
    { cat "${P}_mooseng-${n}m-up.log"; die "mooseng cluster up (${n} masters) failed"; }
  clusters+=("$dir")
  mounts[$n]="$dir/mnt/client1"
  mountpoint -q "${mounts[$n]}" || die "no MooseNG mount at ${mounts[$n]}"
  port=$((port + 10000))
done
"$HERE/moosefs-cluster.sh" up >"${P}_moosefs-up.log" 2>&1 || { cat "${P}_moosefs-up.log"; die "moosefs-cluster.sh up failed"; }
mfs_up=1
echo "raw: $RAW_DIR  MooseFS: /tmp/mfs-anchor/mnt  MooseNG: $(for n in "${counts[@]}"; do printf '%s masters %s  ' "$n" "${mounts[$n]}"; done)"
echo "rounds: $ROUNDS  load: $(cut -d' ' -f1-3 /proc/loadavg)  results: ${P}_*"

files=()
for ((r = 1; r <= ROUNDS; r++)); do
  "$HERE/fsbench.sh" "$RAW_DIR" raw-disk >"${P}_raw-disk_run$r.txt" 2>&1 || die "fsbench failed on the raw disk (${P}_raw-disk_run$r.txt)"
  "$HERE/fsbench.sh" /tmp/mfs-anchor/mnt moosefs-goal2 >"${P}_moosefs-goal2_run$r.txt" 2>&1 || die "fsbench failed on MooseFS"
  files+=("${P}_raw-disk_run$r.txt" "${P}_moosefs-goal2_run$r.txt")
  for n in "${counts[@]}"; do
    label="mooseng-${n}m-goal2"
    "$HERE/fsbench.sh" "${mounts[$n]}" "$label" >"${P}_${label}_run$r.txt" 2>&1 || die "fsbench failed on MooseNG with $n masters (${P}_${label}_run$r.txt)"
    files+=("${P}_${label}_run$r.txt")
  done
  echo "round $r done  load: $(cut -d' ' -f1-3 /proc/loadavg)"
done

SUMMARY_JSON="${P}_summary.json" node "$HERE/summarize.js" moosefs-goal2 "${files[@]}" | tee "${P}_summary.md"
echo
cat "${P}_summary.json"
