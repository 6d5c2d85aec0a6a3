#!/usr/bin/env bash
# make release-snapshot: build the release's binaries and checksums file
# into dist/ without publishing anything, as `goreleaser release --snapshot
# --skip=publish` would with .goreleaser.yaml, but with nothing but Go and
# git: GoReleaser v2.18.2 needs Go 1.27 and takes over two minutes to compile
# on a 2-core CI machine, which is more than the build itself.
#
# Same targets, flags, ldflags, version and names as .goreleaser.yaml, so
# the binaries and checksums are the same bytes GoReleaser produces from the
# same commit with the same Go (keep the two in step):
#
#   dist/rotor_<os>_<arch>/rotor, dist/rotor_<os>_<arch>/rotor-relay
#   dist/rotor_<version>_checksums.txt        SHA-256 of the release assets
#   dist/<binary>_<version>_<os>_<arch>       the assets, as links to the above
#
# VERSION=1.2.3 overrides the snapshot version (no leading v; the binaries
# print v1.2.3). Verify with: (cd dist && sha256sum -c rotor_*_checksums.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
TARGETS=${TARGETS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64"}
DIST=dist

# GoReleaser's snapshot version: {{ incpatch .Version }}-snapshot+{{ .ShortCommit }},
# where .Version is the latest tag without its v. Like GoReleaser, a
# repository without a remote counts as "no git information".
snapshot_version() {
  local tag short
  if git ls-remote --get-url >/dev/null 2>&1; then
    tag=$(git tag --points-at HEAD --sort=-version:refname | head -n1)
    [ -n "$tag" ] || tag=$(git describe --tags --abbrev=0 HEAD 2>/dev/null || true)
    short=$(git show --format=%h HEAD --quiet)
  fi
  tag=${tag:-v0.0.0}
  short=${short:-none}
  local v=${tag#v} major minor patch pre=
  case $v in *-*) pre=${v#*-}; v=${v%%-*} ;; esac
  v=${v%%+*}
  IFS=. read -r major minor patch <<<"$v"
  # semver's IncPatch: a prerelease becomes its release, else patch+1.
  if [ -z "$pre" ]; then patch=$((patch + 1)); fi
  echo "${major}.${minor:-0}.${patch:-0}-snapshot+${short}"
}

VERSION=${VERSION:-$(snapshot_version)}
LDFLAGS="-s -w -X main.version=v${VERSION}"
MTIME=$(git log -1 --format=%ct 2>/dev/null || date +%s)

echo "release-snapshot: version ${VERSION}, $("$GO" env GOVERSION)"
rm -rf "$DIST"
mkdir -p "$DIST"
"$GO" mod download

start=$(date +%s)
assets=()
for target in $TARGETS; do
  os=${target%/*} arch=${target#*/}
  dir="$DIST/rotor_${os}_${arch}"
  for bin in rotor rotor-relay; do
    out="$dir/$bin"
    echo "  build $out"
    CGO_ENABLED=0 GOOS=$os GOARCH=$arch \
      "$GO" build -trimpath -ldflags="$LDFLAGS" -o "$out" "./cmd/$bin"
    touch -d "@$MTIME" "$out"
    asset="${bin}_${VERSION}_${os}_${arch}"
    ln "$out" "$DIST/$asset"
    assets+=("$asset")
  done
done

sums="rotor_${VERSION}_checksums.txt"
(cd "$DIST" && printf '%s\n' "${assets[@]}" | LC_ALL=C sort | xargs sha256sum >"$sums")
(cd "$DIST" && sha256sum --quiet -c "$sums")
echo "release-snapshot: ${#assets[@]} binaries and $DIST/$sums in $(($(date +%s) - start))s"
