#!/usr/bin/env bash
# Builds the web page (web/dist/) when it is missing or when a file the last build read (listed in
# web/dist/inputs.txt, whose modification time is when that build started) is newer or gone. A few
# milliseconds when nothing changed; `npm start`, `npm test` and the tests that load the page run it.
set -euo pipefail
cd "$(dirname "$0")/../.."
stamp=web/dist/inputs.txt
fresh() {
  [ -f web/dist/index.html ] && [ -f "$stamp" ] || return 1
  local f
  while IFS= read -r f; do
    [ -e "$f" ] && ! [ "$f" -nt "$stamp" ] || return 1
  done <"$stamp"
}
if fresh; then exit 0; fi
echo "web: building the page (web/dist/)" >&2
exec npm run --silent build:web
