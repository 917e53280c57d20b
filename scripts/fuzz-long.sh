#!/usr/bin/env bash
# Runs the property tests of every parser of outside input for longer than CI does (issue 15):
# the image decoder, the HTML image extractor, robots.txt, RDAP, security.txt, the providers'
# JSON parsers and the hand-off bundle reader. CI runs 256 cases of each (32 of the bundle) within
# `cargo test`; this runs PROPTEST_CASES of each (default 20000) and prints how long each took.
#
#   scripts/fuzz-long.sh              # 20000 cases of each property
#   PROPTEST_CASES=200000 scripts/fuzz-long.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_CASES="${PROPTEST_CASES:-20000}"
echo "PROPTEST_CASES=$PROPTEST_CASES"
# Built once, outside the timings.
cargo test -p takeback-core --test properties --no-run
cargo test -p takeback-core --lib --no-run
run() {
  local started=$SECONDS
  cargo test -q -p takeback-core "$@" -- --test-threads 1
  echo "  ${*: -1}: $((SECONDS - started)) s for $PROPTEST_CASES cases of each property"
}
for property in decoding_ the_extractor any_robots a_disallowed any_rdap any_security a_changed_encrypted a_damaged_payload; do
  run --test properties "$property"
done
run --lib search::providers::properties
