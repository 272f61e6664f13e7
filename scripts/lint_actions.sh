#!/usr/bin/env bash
# actionlint over .github/workflows/ (with shellcheck on their run: scripts; contract.yml uses
# the composite action ./action.yml and calls schema-gate.yml, so their inputs are checked too),
# then shellcheck on the scripts the action runs. Installs the pinned actionlint with `go install` and
# Debian's shellcheck package when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_VERSION=v1.7.12

# The Go toolchain's usual home, which a non-login shell may not have on PATH.
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
    PATH="/usr/local/go/bin:$PATH"
fi
if command -v go >/dev/null; then
    PATH="$(go env GOPATH)/bin:$PATH"
fi
if ! command -v actionlint >/dev/null || [ "$(actionlint -version | head -1)" != "$ACTIONLINT_VERSION" ]; then
    command -v go >/dev/null || { echo "lint_actions: go is required to install actionlint" >&2; exit 2; }
    go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
if ! command -v shellcheck >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck </dev/null >/dev/null \
        || { DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends shellcheck </dev/null >/dev/null; }
fi
command -v shellcheck >/dev/null || { echo "lint_actions: shellcheck is required" >&2; exit 2; }

actionlint -shellcheck shellcheck
shellcheck scripts/action/*.sh scripts/check_consumer_crate.sh scripts/lint_actions.sh
echo "lint_actions: actionlint $ACTIONLINT_VERSION and shellcheck clean"
