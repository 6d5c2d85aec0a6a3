#!/usr/bin/env bash
# Installs what internal/dashboard's browser test needs on a fresh Debian
# machine: Chromium (Debian's package, with fonts to draw the pages) and
# axe-core, fetched from the npm registry with `npm pack` into the cache
# folder the test reads: ${XDG_CACHE_HOME:-$HOME/.cache}/rotor/axe-core@4/.
# Safe to run again: it installs only what is missing.
#
#   bash scripts/browser-deps.sh
#   ROTOR_BROWSER_TESTS=require go test ./internal/dashboard -run TestBrowser
set -euo pipefail

AXE_VERSION=${AXE_VERSION:-4}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/rotor/axe-core@$AXE_VERSION"
axe="$cache/axe.min.js"

sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo=sudo
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
[ -s "$axe" ] || command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "browser-deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -s "$axe" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack "axe-core@$AXE_VERSION" --silent >pack.txt)
  tgz="$work/$(tail -n 1 "$work/pack.txt")"
  tar -xzf "$tgz" -C "$work" package/axe.min.js
  mkdir -p "$cache"
  cp "$work/package/axe.min.js" "$axe.part"
  mv "$axe.part" "$axe"
fi

echo "browser-deps: $(chromium --version 2>/dev/null || echo 'chromium: not found')" >&2
echo "browser-deps: axe-core at $axe ($(head -c 80 "$axe" | tr -d '\n' | sed 's/[^ -~]//g'))" >&2
