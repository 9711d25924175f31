#!/usr/bin/env bash
# Runs the libfuse 3 binding's tests once under AddressSanitizer (`npm run test:asan`): builds the addon again with
# -fsanitize=address into build-asan/ (the normal build/ is left alone), preloads libasan into node (node itself is
# not instrumented: only the addon's C is checked), points the plugin at that build (MOOSENG_FUSE3_ADDON) and runs
#   - the binding's own tests (test/plugins/mount-fuse3-*.test.js: unmount races, lookup counts),
#   - the FUSE benchmark's workload on the in-memory backend (creates, stats, unlinks, 1 MiB writes and reads),
#   - the real-cluster mount tests of test/cluster/fuse.test.js named by MOOSENG_ASAN_GREP (default: a quick set),
#   - the file-lock tests on two real mounts (test/cluster/file-locks.test.js: waits, interrupts, killed waiters).
# Any report (heap overflow, use after free, double free ...) aborts the process and fails the run. Leak checking
# is off: node's own allocations at exit would drown the addon's.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
plugin="$root/plugins/mount-fuse3"
cd "$root"
npx tsc -b
out="$plugin/build-asan"
mkdir -p "$out"
node_include="$(dirname "$(command -v node)")/../include/node"
[[ -f $node_include/node_api.h ]] || node_include=/usr/include/node
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
gcc -shared -fPIC -g -O1 -fno-omit-frame-pointer -fsanitize=address -Wall -Werror -I"$node_include" \
  $(pkg-config --cflags fuse3) "$plugin/native/fuse3-ll.c" -o "$out/fuse3_ll.node" $(pkg-config --libs fuse3)
echo "test-asan: built $out/fuse3_ll.node with AddressSanitizer" >&2

export LD_PRELOAD="$(gcc -print-file-name=libasan.so)"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:print_summary=1"
export MOOSENG_FUSE3_ADDON="$out/fuse3_ll.node"
status=0
npx mocha --no-config --timeout 120000 --exit dist-test/plugins/mount-fuse3-*.test.js || status=$?
# The workload alone, on the in-memory backend behind the libfuse 3 binding only.
BENCH_FUSE_FILES="${BENCH_FUSE_FILES:-2000}" BENCH_FUSE_MIB="${BENCH_FUSE_MIB:-128}" BENCH_FUSE_ONLY=fuse3 \
  node dist-bench/fuse/fuse-bench.js || status=$?
npx mocha --no-config --timeout 300000 --exit dist-test/cluster/fuse.test.js \
  --grep "${MOOSENG_ASAN_GREP:-tar archive|rsyncs|sqlite3|hard links|extended attributes|ACL|fallocate|renameat2|dead mount point}" || status=$?
npx mocha --no-config --timeout 300000 --exit dist-test/cluster/file-locks.test.js || status=$?
if ((status == 0)); then echo "test-asan: no AddressSanitizer report; every test passed" >&2; else echo "test-asan: FAILED (see above)" >&2; fi
exit "$status"
