#!/usr/bin/env bash
# The main job (`npm run demo`): installs what is missing, builds, then runs the MooseNG demonstration.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node cli/bin/run.js demo "$@"
