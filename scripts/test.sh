#!/usr/bin/env bash
# `npm test`: brings up the same services as `npm start` (not the API: tests start their own on
# ephemeral ports, each test file with its own database and queue prefix), type-checks, then runs
# every test. vitest's summary with the counts is the last thing printed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh up
echo "test: type-checking" >&2
npx tsc --noEmit -p tsconfig.json
echo "test: running the tests" >&2
exec npx vitest run
