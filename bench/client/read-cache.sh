#!/usr/bin/env bash
# The client's read cache (client.cacheSizeMb), on and off, in one sitting: a `mooseng cluster up --masters 1
# --chunkservers 3 --disks 1 --clients 1 --goal 2` cluster per variant, side by side, and on each mount in turn
# (A B A B ...):
#   - fio random 4 KiB reads (psync, 20 s) over a RAND_MB file (default 192 MiB: it fits the default 256 MiB cache);
#   - fio sequential reads in 1 MiB calls of a SEQ_MB file (default 1024 MiB: four times the cache), 20 s at most;
# each with the client's RSS sampled every second. fio drops the kernel's pages of the file before each job
# (invalidate=1), so what is measured is the client, not the kernel's page cache. Variants: "off" (client.cacheSizeMb
# 0: every read goes to a chunkserver, through the handle's fixed 4 MiB read-ahead windows) and "on" (this build's
# default, 256 MiB, or CACHE_MB). Prints one line per run and the medians.
#
#   bench/client/read-cache.sh [ROUNDS] [VARIANTS]     e.g. bench/client/read-cache.sh 3 off,on
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${1:-2}
VARIANTS=${2:-off,on}
CACHE_MB=${CACHE_MB:-256}
RAND_MB=${RAND_MB:-192}
SEQ_MB=${SEQ_MB:-1024}
RUNTIME_S=${RUNTIME_S:-20}
die() {
  echo "read-cache bench: $*" >&2
  exit 1
}
command -v fio >/dev/null || die "fio is not installed (apt-get install fio)"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a whole number of rounds, at least 1 (got '$ROUNDS')"

WORK=$(mktemp -d /tmp/read-cache-bench.XXXXXX)
declare -A dirs
dirs_up=()
cleanup() {
  set +e
  for v in "${dirs_up[@]}"; do node "$ROOT/cli/bin/run.js" cluster down --dir "${dirs[$v]}" >/dev/null 2>&1; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

IFS=, read -ra variants <<<"$VARIANTS"
port=35421
for v in "${variants[@]}"; do
  case $v in
  off) size=0 ;;
  on) size=$CACHE_MB ;;
  *) die "unknown variant $v (off or on)" ;;
  esac
  dirs[$v]="$WORK/$v"
  MOOSENG_CACHE_SIZE_MB=$size node "$ROOT/cli/bin/run.js" cluster up --dir "${dirs[$v]}" --masters 1 --chunkservers 3 --disks 1 \
    --clients 1 --goal 2 --base-port "$port" --cluster-id "rc-$v" >"$WORK/$v-up.log" 2>&1 || {
    cat "$WORK/$v-up.log"
    die "cluster up ($v) failed"
  }
  dirs_up+=("$v")
  port=$((port + 1000))
done

client_pid() {
  node -e 'const s=require(process.argv[1]); console.log(s.nodes.find((n)=>n.role==="client").pid)' "${dirs[$1]}/cluster.json"
}

# fio's read figures: IOPS and MiB/s.
fio_read() { fio --output-format=json "$@" | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const j=JSON.parse(s).jobs[0].read;console.log(j.iops.toFixed(0), (j.bw_bytes/1048576).toFixed(1))})'; }

# Runs "$@" while sampling the client's RSS; prints the command's output, then the peak RSS in MiB.
with_rss() {
  local pid=$1
  shift
  (
    while kill -0 "$pid" 2>/dev/null; do
      awk '/VmRSS/ {print $2}' "/proc/$pid/status"
      sleep 1
    done
  ) >"$WORK/rss" &
  local sampler=$!
  "$@"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  echo $(($(sort -n "$WORK/rss" | tail -1) / 1024))
}

# The files, written once per mount (not measured).
for v in "${variants[@]}"; do
  mnt="${dirs[$v]}/mnt/client1"
  fio --name=prep-rand --filename="$mnt/rand.dat" --rw=write --bs=1M --size="${RAND_MB}M" --ioengine=psync --end_fsync=1 >/dev/null
  fio --name=prep-seq --filename="$mnt/seq.dat" --rw=write --bs=1M --size="${SEQ_MB}M" --ioengine=psync --end_fsync=1 >/dev/null
done

echo "variants: ${variants[*]}  rounds: $ROUNDS  cache (on): $CACHE_MB MiB  random file: $RAND_MB MiB  sequential file: $SEQ_MB MiB  load: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A iops seq rss_rand rss_seq
for ((r = 1; r <= ROUNDS; r++)); do
  for v in "${variants[@]}"; do
    mnt="${dirs[$v]}/mnt/client1"
    pid=$(client_pid "$v")
    { read -r ops _ && read -r peak_rand; } < <(with_rss "$pid" fio_read --name=rr --filename="$mnt/rand.dat" --rw=randread --bs=4k \
      --size="${RAND_MB}M" --runtime="$RUNTIME_S" --time_based --ioengine=psync)
    { read -r _ mbps && read -r peak_seq; } < <(with_rss "$pid" fio_read --name=sr --filename="$mnt/seq.dat" --rw=read --bs=1M \
      --size="${SEQ_MB}M" --runtime="$RUNTIME_S" --ioengine=psync)
    iops[$v]+="$ops "
    seq[$v]+="$mbps "
    rss_rand[$v]+="$peak_rand "
    rss_seq[$v]+="$peak_seq "
    printf 'round %d %-3s rand_read_4k %6s IOPS (client RSS peak %4d MiB)  seq_read_1M %7s MiB/s (client RSS peak %4d MiB)  load %s\n' \
      "$r" "$v" "$ops" "$peak_rand" "$mbps" "$peak_seq" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "| variant | rand_read_4k IOPS | client RSS peak MiB (random) | seq read MiB/s | client RSS peak MiB (sequential) |"
echo "|---|---|---|---|---|"
for v in "${variants[@]}"; do
  echo "| $v | $(median "${iops[$v]}") | $(median "${rss_rand[$v]}") | $(median "${seq[$v]}") | $(median "${rss_seq[$v]}") |"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
