#!/usr/bin/env bash
# `npm test`: brings up the same services as `npm start` (not the API: tests start their own on
# ephemeral ports, each test file with its own database and queue prefix), installs Debian's
# chromium for the browser tests when it is missing, lints (ESLint, Prettier, the dependency
# rules), type-checks, then runs every test. vitest's summary with the counts is printed last.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh up
bash scripts/ensure-chromium.sh
bash web/scripts/ensure-built.sh # the web page the API tests serve, rebuilt when a source is newer than web/dist/
echo "test: linting (eslint, prettier, dependency rules)" >&2
npm run --silent lint
echo "test: type-checking" >&2
npx tsc --noEmit -p tsconfig.json
echo "test: running the tests" >&2
exec npx vitest run
