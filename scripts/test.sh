#!/usr/bin/env bash
# The test command (`npm test`): installs what is missing, builds, runs every mocha test from the compiled output,
# and ends with the plain line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --tests
exec npx mocha --reporter ./scripts/counting-reporter.js "$@"
