#!/usr/bin/env bash
# real-programs.sh — ordinary programs on a MooseNG mount and on MooseFS, timed in one sitting, interleaved.
#
#   bench/programs/real-programs.sh [--masters N] [--rounds R]
#
# Starts a MooseNG cluster (`mooseng cluster up`: N masters (default 3) on Raft, 3 chunkservers with one disk each,
# one mount, goal 2) and a MooseFS one (bench/moosefs/moosefs-cluster.sh: 1 master, 3 chunkservers, goal 2), then
# for R rounds (default 2) runs on each mount in turn (MooseFS, MooseNG, MooseFS, MooseNG ...):
#   rsync     rsync -a /usr/include/ DIR/include/        (about 10,000 small files)
#   tar       tar -xf doc.tar -C DIR/doc                 (a tar of /usr/share/doc, made once on the local disk)
#   git-clone git clone -q PROJECT DIR/repo              (this project's repository, a local clone)
#   rm-rf     rm -rf DIR/include DIR/doc DIR/repo
# and prints, per program, each side's median seconds and MooseNG's time over MooseFS's (below 1: MooseNG faster).
# Both clusters are stopped at the end, also on failure or Ctrl-C. Set MOOSENG_DIR and/or MOOSEFS_DIR to measure
# mounts that are already there instead (then nothing is started for that side).
#
# Needs root (MooseFS runs in a private network namespace) and: rsync, tar, git, and for MooseFS the Debian packages
# moosefs-master moosefs-chunkserver moosefs-client moosefs-cli (installed when missing).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MASTERS=3
ROUNDS=2
while [[ $# -gt 0 ]]; do
  case $1 in
    --masters) MASTERS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "real-programs.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "real-programs.sh: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (MooseFS runs in a network namespace; apt installs what is missing)"

missing=()
for p in rsync git tar; do command -v "$p" >/dev/null || missing+=("$p"); done
if [[ -z ${MOOSEFS_DIR:-} ]] && ! command -v mfsmaster >/dev/null; then
  missing+=(moosefs-master moosefs-chunkserver moosefs-client moosefs-cli)
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

WORK=$(mktemp -d /tmp/real-programs.XXXXXX)
NG_CLUSTER="$WORK/mooseng"
started_ng=0
started_mfs=0
cleanup() {
  set +e
  [[ $started_ng == 1 ]] && node "$ROOT/cli/bin/run.js" cluster down --dir "$NG_CLUSTER" >/dev/null 2>&1
  [[ $started_mfs == 1 ]] && "$ROOT/bench/moosefs/moosefs-cluster.sh" purge >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The inputs live on the local disk, read once beforehand so both sides find them in the page cache.
tar -cf "$WORK/doc.tar" -C /usr/share doc 2>/dev/null || true
cat "$WORK/doc.tar" >/dev/null
find /usr/include -type f -exec cat {} + >/dev/null 2>&1 || true
echo "inputs: /usr/include $(find /usr/include -type f | wc -l) files; doc.tar $(du -m "$WORK/doc.tar" | cut -f1) MiB," \
  "$(tar -tf "$WORK/doc.tar" | wc -l) entries; repository $ROOT ($(git -C "$ROOT" ls-files | wc -l) files)"

if [[ -z ${MOOSENG_DIR:-} ]]; then
  (cd "$ROOT" && npx tsc -b >/dev/null)
  node "$ROOT/cli/bin/run.js" cluster up --dir "$NG_CLUSTER" --masters "$MASTERS" --chunkservers 3 --disks 1 \
    --clients 1 --goal 2 >"$WORK/mooseng-up.log" 2>&1 || { cat "$WORK/mooseng-up.log"; die "mooseng cluster up failed"; }
  started_ng=1
  MOOSENG_DIR=$(find "$NG_CLUSTER/mnt" -mindepth 1 -maxdepth 1 | head -1)
  mountpoint -q "$MOOSENG_DIR" || die "no MooseNG mount under $NG_CLUSTER/mnt"
fi
if [[ -z ${MOOSEFS_DIR:-} ]]; then
  "$ROOT/bench/moosefs/moosefs-cluster.sh" up >"$WORK/moosefs-up.log" 2>&1 || { cat "$WORK/moosefs-up.log"; die "moosefs-cluster.sh up failed"; }
  started_mfs=1
  MOOSEFS_DIR=/tmp/mfs-anchor/mnt
fi
echo "MooseNG ($MASTERS master(s)): $MOOSENG_DIR   MooseFS: $MOOSEFS_DIR   rounds: $ROUNDS   load: $(cut -d' ' -f1-3 /proc/loadavg)"

PROGRAMS=(rsync tar git-clone rm-rf)
run_program() { # run_program NAME DIR
  local dir=$2/real-programs
  case $1 in
    rsync) mkdir -p "$dir" && rsync -a /usr/include/ "$dir/include/" ;;
    tar) mkdir -p "$dir/doc" && tar -xf "$WORK/doc.tar" -C "$dir/doc" ;;
    git-clone) git clone -q "$ROOT" "$dir/repo" ;;
    rm-rf) rm -rf "$dir" ;;
  esac
}

declare -A times
for ((r = 1; r <= ROUNDS; r++)); do
  for side in moosefs mooseng; do
    dir=$MOOSEFS_DIR
    [[ $side == mooseng ]] && dir=$MOOSENG_DIR
    rm -rf "$dir/real-programs"
    for p in "${PROGRAMS[@]}"; do
      start=$(date +%s.%N)
      run_program "$p" "$dir" || die "$p failed on $side ($dir)"
      end=$(date +%s.%N)
      t=$(echo "$end - $start" | bc)
      times[$side.$p]="${times[$side.$p]:-} $t"
      printf 'round %d  %-8s %-10s %8.2f s\n' "$r" "$side" "$p" "$t"
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "| program | MooseFS s (median) | MooseNG s (median, $MASTERS masters) | MooseNG / MooseFS |"
echo "|---|---|---|---|"
for p in "${PROGRAMS[@]}"; do
  a=$(echo "${times[moosefs.$p]}" | median)
  b=$(echo "${times[mooseng.$p]}" | median)
  printf '| %s | %.2f | %.2f | %.2f |\n' "$p" "$a" "$b" "$(echo "$b / $a" | bc -l)"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
