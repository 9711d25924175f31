#!/usr/bin/env bash
# The test command (`npm test`): installs what is missing, builds, checks the code (ESLint, the layer rules, the
# formatter), runs every mocha test from the compiled output, and ends with the plain line "N passed, N failed".
# A failed check fails the command too, after the tests have run and been counted.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --tests
lint=0
npm run --silent lint || lint=$?
status=0
npx mocha --reporter ./scripts/counting-reporter.js "$@" || status=$?
if ((lint != 0)); then echo "npm test: the checks failed (npm run lint); see above" >&2; fi
if ((status == 0 && lint != 0)); then status=$lint; fi
exit "$status"
