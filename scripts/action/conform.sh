#!/usr/bin/env bash
# The action's check: `noetl-envelope conform` over $INPUT_PATHS (whitespace-separated; no glob
# expansion) as JSON (for the job summary), JUnit (the file in the `junit` output) and GitHub
# annotations (stdout, which the runner turns into ::error/::warning marks on the files).
# Appends a table of drift classes to $GITHUB_STEP_SUMMARY, writes the `junit` and `report`
# outputs to $GITHUB_OUTPUT, and exits with conform's status (0 clean, 1 findings, 2 usage/I/O).
set -uo pipefail
py=${NOETL_ENVELOPE_PYTHON:?install.sh sets it}
here=$(cd "$(dirname "$0")" && pwd)
out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/noetl-envelope"
mkdir -p "$out"
junit=${INPUT_JUNIT_FILE:-}
[ -n "$junit" ] || junit="$out/conform-junit.xml"
report="$out/conform.json"

set -f  # the paths are taken literally
# shellcheck disable=SC2206  # word splitting on whitespace is the input's documented form
paths=(${INPUT_PATHS:?the paths input is required})
set +f
args=(conform --producer "${INPUT_PRODUCER:-rust}")
case "${INPUT_STRICT:-false}" in
    true) args+=(--strict) ;;
    false | "") ;;
    *) echo "::error title=noetl-envelope::strict must be true or false, not '${INPUT_STRICT}'"; exit 2 ;;
esac

"$py" -m noetl_envelope "${args[@]}" --format json --quiet --output "$report" "${paths[@]}"
status=$?
if [ "$status" -ge 2 ]; then
    exit "$status"  # usage or I/O error: conform printed its one-line message
fi
"$py" -m noetl_envelope "${args[@]}" --format junit --quiet --output "$junit" "${paths[@]}"
"$py" -m noetl_envelope "${args[@]}" --format github "${paths[@]}"

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    "$py" "$here/job_summary.py" "$report" >>"$GITHUB_STEP_SUMMARY"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf 'junit=%s\nreport=%s\n' "$junit" "$report" >>"$GITHUB_OUTPUT"
fi
exit "$status"
