#!/usr/bin/env bash
# postinstall (called by the root package.json, where npm hoists fuse-native): applies this plugin's patches/
# (patch-package) and rebuilds fuse-native from its patched source, so the FUSE client
# can ask who is calling (uid, gid, pid) and give new files the caller's ownership. fuse-native 2.2.6 does not expose
# fuse_get_context(); the patch adds Fuse.getCaller(). Idempotent: skips the rebuild when the binary has it already.
set -euo pipefail
plugin=plugins/mount-fuse-native
cd "$(dirname "$0")/../../.."
npx --no-install patch-package --error-on-fail --patch-dir "$plugin/patches"
bin=node_modules/fuse-native/build/Release/fuse.node
if [[ -f $bin ]] && grep -q fuse_native_get_caller "$bin"; then exit 0; fi
echo "patch-fuse-native: rebuilding fuse-native with the caller patch" >&2
# Without a binary to load, fuse-native's install step (node-gyp-build) compiles the patched source.
rm -rf node_modules/fuse-native/build node_modules/fuse-native/prebuilds
npm rebuild fuse-native >&2
grep -q fuse_native_get_caller "$bin" || { echo "patch-fuse-native: the rebuilt fuse-native lacks getCaller(); see $plugin/patches/" >&2; exit 1; }
