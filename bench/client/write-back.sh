#!/usr/bin/env bash
# The client's write-back cache, before and after, in one sitting: a `mooseng cluster up --masters 1 --chunkservers 3
# --disks 1 --clients 1` cluster per variant, side by side, and on each mount in turn (A B A B ...):
#   - fio random 4 KiB writes, 20 s, psync, fsync at the end, into a 256 MiB file laid out first (as fsbench.sh
#     does: every block exists, so each write in part of one is read, merged and stored), with the client's RSS
#     sampled every second;
#   - a 1 GiB sequential write in 1 MiB calls, fsync at the end.
# Variants: "base" (the build at BASE_ROOT, default /work/main: before), "off" (this build, client.writeBack off),
# "on" (this build, client.writeBack on) and "kwb" (this build, client.writeBack and client.kernelWritebackCache
# on). Prints one line per run and the medians.
#
#   bench/client/write-back.sh [ROUNDS] [VARIANTS]     e.g. bench/client/write-back.sh 2 base,on
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${1:-2}
VARIANTS=${2:-base,off,on}
BASE_ROOT=${BASE_ROOT:-/work/main}
WRITE_BUFFER_MB=${WRITE_BUFFER_MB:-64}
die() {
  echo "write-back bench: $*" >&2
  exit 1
}
command -v fio >/dev/null || die "fio is not installed (apt-get install fio)"

WORK=$(mktemp -d /tmp/write-back-bench.XXXXXX)
declare -A dirs roots
dirs_up=()
cleanup() {
  set +e
  for v in "${dirs_up[@]}"; do node "${roots[$v]}/cli/bin/run.js" cluster down --dir "${dirs[$v]}" >/dev/null 2>&1; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

IFS=, read -ra variants <<<"$VARIANTS"
port=33421
for v in "${variants[@]}"; do
  case $v in
  base) roots[$v]=$BASE_ROOT ;;
  off | on | kwb) roots[$v]=$ROOT ;;
  *) die "unknown variant $v (base, off, on or kwb)" ;;
  esac
  dirs[$v]="$WORK/$v"
  # The chunkservers and masters ignore the client's variable; a base build without the option ignores it too.
  MOOSENG_WRITE_BACK=$([[ $v == on || $v == kwb ]] && echo true || echo false) \
    MOOSENG_KERNEL_WRITEBACK_CACHE=$([[ $v == kwb ]] && echo true || echo false) \
    node "${roots[$v]}/cli/bin/run.js" cluster up --dir "${dirs[$v]}" --masters 1 --chunkservers 3 --disks 1 --clients 1 \
    --goal 2 --base-port "$port" --cluster-id "wb-$v" >"$WORK/$v-up.log" 2>&1 || { cat "$WORK/$v-up.log"; die "cluster up ($v) failed"; }
  dirs_up+=("$v")
  port=$((port + 1000))
done

client_pid() {
  node -e 'const s=require(process.argv[1]); console.log(s.nodes.find((n)=>n.role==="client").pid)' "${dirs[$1]}/cluster.json"
}

fio_json() { fio --output-format=json "$@" | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>{const j=JSON.parse(s).jobs[0].write;console.log(j.iops.toFixed(0), (j.bw_bytes/1048576).toFixed(1))})'; }

echo "variants: ${variants[*]}  rounds: $ROUNDS  client.writeBufferMb: $WRITE_BUFFER_MB (default)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A iops seq rss
for ((r = 1; r <= ROUNDS; r++)); do
  for v in "${variants[@]}"; do
    mnt="${dirs[$v]}/mnt/client1"
    pid=$(client_pid "$v")
    peak=0
    fio --name=prep --filename="$mnt/rand.dat" --rw=write --bs=1M --size=256M --ioengine=psync --end_fsync=1 >/dev/null
    (
      while kill -0 "$pid" 2>/dev/null; do
        awk '/VmRSS/ {print $2}' "/proc/$pid/status"
        sleep 1
      done
    ) >"$WORK/rss-$v-$r" &
    sampler=$!
    read -r ops _ < <(fio_json --name=rw --filename="$mnt/rand.dat" --rw=randwrite --bs=4k --size=256M --runtime=20 --time_based \
      --ioengine=psync --end_fsync=1)
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    peak=$(sort -n "$WORK/rss-$v-$r" | tail -1)
    rm -f "$mnt/rand.dat"
    start=$(date +%s.%N)
    fio --name=sw --filename="$mnt/seq.dat" --rw=write --bs=1M --size=1G --ioengine=psync --end_fsync=1 >/dev/null
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    mbps=$(echo "1024 / $secs" | bc -l)
    rm -f "$mnt/seq.dat"
    iops[$v]+="$ops "
    seq[$v]+="$(printf '%.1f' "$mbps") "
    rss[$v]+="$((peak / 1024)) "
    printf 'round %d %-4s rand_write_4k %6s IOPS  client RSS peak %4d MiB  seq_write_1GiB %6.1f MiB/s  load %s\n' \
      "$r" "$v" "$ops" "$((peak / 1024))" "$mbps" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "| variant | rand_write_4k IOPS | seq write 1 GiB MiB/s | client RSS peak MiB (random writes) |"
echo "|---|---|---|---|"
for v in "${variants[@]}"; do
  echo "| $v | $(median "${iops[$v]}") | $(median "${seq[$v]}") | $(median "${rss[$v]}") |"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
