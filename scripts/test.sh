#!/usr/bin/env bash
# Runs berth's tests with node's built-in runner over the compiled dist/: unit tests (beside the code in
# src/ and bench/) first, then the integration suites (test/*.test.ts, each with its own real berthd).
# Usage: scripts/test.sh [unit|integration|all] [source files...]
#   scripts/test.sh integration test/api-errors.test.ts
# The file lists come from the .ts sources, not from dist/, so a stale .js left by a renamed source never
# runs. Exit status is non-zero when any test fails.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

what="${1:-all}"
case "$what" in unit|integration|all) shift || true ;; *) what=all ;; esac

to_dist() { local f="${1%.ts}.js"; printf 'dist/%s\n' "${f#./}"; }

unit_files=()
integration_files=()
if [ $# -gt 0 ]; then
  for f in "$@"; do
    case "$f" in test/*) integration_files+=("$(to_dist "$f")") ;; *) unit_files+=("$(to_dist "$f")") ;; esac
  done
else
  while IFS= read -r f; do unit_files+=("$(to_dist "$f")"); done < <(find src bench -name '*.test.ts' | LC_ALL=C sort)
  while IFS= read -r f; do integration_files+=("$(to_dist "$f")"); done < <(find test -maxdepth 1 -name '*.test.ts' | LC_ALL=C sort)
fi

for f in "${unit_files[@]}" "${integration_files[@]}"; do
  [ -f "$f" ] || { echo "test: $f is missing: run npm run setup (the build) first" >&2; exit 1; }
done

status=0
# Each phase's output is also kept so one combined closing line can be printed at the end: the two
# runner invocations each print their own summary, and CI reads the last lines.
summary_log="$(mktemp)"
trap 'rm -f "$summary_log"' EXIT
# Unit tests: pure and fast; as many at once as the runner likes.
if [ "$what" != integration ] && [ ${#unit_files[@]} -gt 0 ]; then
  echo "== unit tests (${#unit_files[@]} files)"
  node --test --test-reporter=spec --test-timeout=60000 "${unit_files[@]}" 2>&1 | tee -a "$summary_log" || status=1
fi
# Integration tests: each file starts a real daemon and real containers; 2 files at a time on 2 cores.
if [ "$what" != unit ] && [ ${#integration_files[@]} -gt 0 ]; then
  echo "== integration tests (${#integration_files[@]} files)"
  # Leftovers of an earlier run that was killed before its cleanup (daemons, mounts, bridges).
  node dist/test/harness/sweep.js || true
  node --test --test-reporter=spec --test-concurrency="${BERTH_TEST_CONCURRENCY:-2}" --test-timeout=300000 \
    "${integration_files[@]}" 2>&1 | tee -a "$summary_log" || status=1
fi
passed=$(awk '/^ℹ pass /{n+=$3} END{print n+0}' "$summary_log")
failed=$(awk '/^ℹ fail /{n+=$3} END{print n+0}' "$summary_log")
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] || status=1
exit $status
