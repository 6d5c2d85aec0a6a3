#!/usr/bin/env bash
# Runs the leak corpus (internal/leak/testdata: secrets that must be
# found, register lines that must not be flagged) through rotor's scanner
# and through gitleaks v8.30.1, and prints recall, precision, false
# positives and per-kind results side by side. Every sample is a file of
# its own, so each finding names its sample. gitleaks runs with
# `go run pkg@version`, which leaves go.mod and go.sum alone (checked at
# the end).
set -euo pipefail
cd "$(dirname "$0")/.."

GITLEAKS=${GITLEAKS:-github.com/zricethezav/gitleaks/v8@v8.30.1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sums_before=$(cat go.mod go.sum | sha256sum)

go run ./scripts/leak-corpus write -dir "$work/samples"
# In a module of its own, so that nothing in this module's go.mod is used
# or touched; dir mode reads plain files (no git history).
mkdir -p "$work/gl"
(cd "$work/gl" && GOFLAGS=-mod=mod go run "$GITLEAKS" dir "$work/samples" \
  --report-format json --report-path "$work/gitleaks.json" \
  --no-banner --exit-code 0 --log-level error)
go run ./scripts/leak-corpus table -dir "$work/samples" -gitleaks "$work/gitleaks.json"

sums_after=$(cat go.mod go.sum | sha256sum)
if [ "$sums_before" != "$sums_after" ] || ! git diff --quiet -- go.mod go.sum; then
  echo "bench-leak: go.mod or go.sum changed; gitleaks must not become a dependency" >&2
  exit 1
fi
