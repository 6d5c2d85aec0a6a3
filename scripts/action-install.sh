#!/usr/bin/env bash
# The rotor action's install step (action.yml): put the released rotor
# binary for this runner into ROTOR_BIN, verified, or stop.
#
#   1. the asset rotor_<version without v>_<os>_<arch> and the release's
#      rotor_<version without v>_checksums.txt are downloaded from
#      $ROTOR_RELEASE_BASE_URL/<tag>/ (default
#      https://github.com/rotor-dev/rotor/releases/download), over https
#      only, redirects included, without any token;
#   2. the asset's SHA-256 must equal its line in the checksums file: a
#      missing file, a missing line or another digest stops with exit 1 and
#      installs nothing;
#   3. its provenance attestation (made by release.yml with
#      actions/attest-build-provenance) is checked with
#      `gh attestation verify --repo rotor-dev/rotor --signer-workflow
#      rotor-dev/rotor/.github/workflows/release.yml` when gh is on PATH
#      (ROTOR_ATTESTATION, below);
#   4. only then is it moved to $ROTOR_BIN/rotor.
#
# A platform the release has no binary for (the asset answers 404) is built
# instead with `go install github.com/rotor-dev/rotor/cmd/rotor@<tag>` by
# the Go on PATH (GOTOOLCHAIN=auto fetches the Go rotor needs), which
# checks the module against Go's checksum database, not against the
# release's checksums file or attestation. Windows stops with an error:
# rotor is released for Linux and macOS.
#
# Environment:
#   ROTOR_VERSION           the release tag, vX.Y.Z (required)
#   ROTOR_BIN               the folder rotor is installed in (required)
#   RUNNER_OS, RUNNER_ARCH  Linux or macOS; X64 or ARM64 (set by Actions)
#   ROTOR_RELEASE_BASE_URL  where releases are downloaded from; https only,
#                           with no user or token in it
#                           (a test serves its own release over TLS, with
#                           CURL_CA_BUNDLE naming its certificate)
#   ROTOR_ATTESTATION       auto (default): verify when gh is on PATH and
#                           can ask GitHub (GH_TOKEN); an attestation that
#                           exists must verify, while a release without one
#                           (made before release.yml attested), no gh or no
#                           answer from GitHub leaves a warning and the
#                           checksum alone. required: each of those stops
#                           with exit 1. off: no attestation check
#   ROTOR_GH, ROTOR_GO      the gh and go commands (default gh, go)
#
# Exit status: 0 installed, 1 refused (download, checksum or attestation),
# 2 bad input (version, platform).
set -euo pipefail

say() { printf 'rotor action: %s\n' "$*" >&2; }
fail() {
	printf '::error title=rotor action::%s\n' "$1" >&2
	exit "${2:-1}"
}
warn() { printf '::warning title=rotor action::%s\n' "$1" >&2; }

version=${ROTOR_VERSION:-}
bin=${ROTOR_BIN:-}
base=${ROTOR_RELEASE_BASE_URL:-https://github.com/rotor-dev/rotor/releases/download}
attestation=${ROTOR_ATTESTATION:-auto}
gh=${ROTOR_GH:-gh}
go=${ROTOR_GO:-go}
repo=rotor-dev/rotor

[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
	fail "ROTOR_VERSION must be a release tag such as v1.2.3; got \"${version//[$'\r\n']/ }\"" 2
[ -n "$bin" ] || fail "ROTOR_BIN must name the folder to install rotor in" 2
case $attestation in auto | required | off) ;; *) fail "ROTOR_ATTESTATION must be auto, required or off; got \"${attestation//[$'\r\n']/ }\"" 2 ;; esac

case ${RUNNER_OS:-} in
Linux) os=linux ;;
macOS) os=darwin ;;
Windows) fail "rotor is released for Linux and macOS only: run this job on ubuntu-latest or macos-latest" 2 ;;
*) fail "RUNNER_OS must be Linux or macOS; got \"${RUNNER_OS:-}\"" 2 ;;
esac
case ${RUNNER_ARCH:-} in
X64) arch=amd64 ;;
ARM64) arch=arm64 ;;
X86) arch=386 ;;
ARM) arch=arm ;;
*) fail "RUNNER_ARCH must be X64 or ARM64; got \"${RUNNER_ARCH:-}\"" 2 ;;
esac

# https only, redirects included (GitHub redirects a release asset to its
# storage host): curl refuses anything else. No credentials in the address
# either: the release is public, and a token in a URL ends up in logs.
# Errors show the address without its user part.
shown=$(printf '%s' "$base" | tr -d '\r\n' | sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@#\1***@#')
case $base in
https://*) ;;
*) fail "ROTOR_RELEASE_BASE_URL must be an https:// address; got \"$shown\"" 2 ;;
esac
authority=${base#https://}
authority=${authority%%[/?#]*}
case $authority in
*@*) fail "ROTOR_RELEASE_BASE_URL must not carry credentials (a user or token before @); got \"$shown\": downloads are anonymous, leave the token out" 2 ;;
esac
base=${base%/}

number=${version#v}
asset="rotor_${number}_${os}_${arch}"
sums="rotor_${number}_checksums.txt"

tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rotor-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# fetch URL FILE prints the HTTP status; curl's own failure (no
# connection, a redirect to http) stops the script.
fetch() {
	local code
	if ! code=$(curl --silent --show-error --location --proto =https --proto-redir =https \
		--max-redirs 5 --retry 3 --connect-timeout 20 --max-time 300 \
		--output "$2" --write-out '%{http_code}' "$1"); then
		fail "could not download $1 (curl failed, see above); check the runner's network and that the release $version exists"
	fi
	printf '%s' "$code"
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

go_install() {
	say "the release $version has no binary for ${os}/${arch}: building it with go install"
	command -v "$go" >/dev/null 2>&1 ||
		fail "the release $version has no binary for ${os}/${arch}, and there is no Go to build it: add actions/setup-go before this step"
	mkdir -p "$bin"
	GOBIN="$bin" GOTOOLCHAIN=${GOTOOLCHAIN:-auto} CGO_ENABLED=0 \
		"$go" install -trimpath "github.com/rotor-dev/rotor/cmd/rotor@$version"
	echo "how=go-install" >>"${GITHUB_OUTPUT:-/dev/null}"
	exit 0
}

url="$base/$version/$asset"
code=$(fetch "$url" "$tmp/$asset")
case $code in
200) ;;
404) go_install ;;
*) fail "downloading $url answered HTTP $code; retry later, or pin another version" ;;
esac

code=$(fetch "$base/$version/$sums" "$tmp/$sums")
[ "$code" = 200 ] ||
	fail "the release $version has no checksums file $sums (HTTP $code): its $asset cannot be verified, so it is not installed"

want=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1; exit }' "$tmp/$sums")
[[ "$want" =~ ^[0-9a-f]{64}$ ]] ||
	fail "$sums of $version has no SHA-256 line for $asset: it is not installed; report this to rotor's maintainers"
got=$(sha256 "$tmp/$asset")
[ "$got" = "$want" ] ||
	fail "$asset of $version does not match its checksum (SHA-256 $got, $sums says $want): it is not installed; retry, and report it to rotor's maintainers if it happens again"
say "$asset: SHA-256 $got matches $sums"

if [ "$attestation" != off ]; then
	if ! command -v "$gh" >/dev/null 2>&1; then
		[ "$attestation" = auto ] ||
			fail "ROTOR_ATTESTATION is required but the gh CLI is not on PATH: install it, or set ROTOR_ATTESTATION to auto"
		warn "gh is not on PATH: the provenance attestation of $asset was not verified, only its checksum"
	elif ! "$gh" api --silent "repos/$repo/attestations/sha256:$got" >/dev/null 2>"$tmp/gh-api.err"; then
		if ! grep -q 'HTTP 404' "$tmp/gh-api.err"; then
			cat "$tmp/gh-api.err" >&2
			[ "$attestation" = auto ] ||
				fail "could not ask GitHub for the attestation of $asset (see above): give the step GH_TOKEN, or set ROTOR_ATTESTATION to auto"
			warn "could not ask GitHub for the attestation of $asset (see above; GH_TOKEN unset?): only its checksum was verified"
		else
			[ "$attestation" = auto ] ||
				fail "$asset of $version has no provenance attestation, and ROTOR_ATTESTATION is required: it is not installed"
			warn "$asset of $version has no provenance attestation (a release made before release.yml attested): only its checksum was verified"
		fi
	elif ! "$gh" attestation verify "$tmp/$asset" --repo "$repo" \
		--signer-workflow "$repo/.github/workflows/release.yml" >&2; then
		fail "the provenance attestation of $asset of $version does not verify (see above): it is not installed"
	else
		say "$asset: provenance verified, built by $repo's release.yml"
	fi
fi

chmod 0755 "$tmp/$asset"
mkdir -p "$bin"
mv -f "$tmp/$asset" "$bin/rotor"
echo "how=release" >>"${GITHUB_OUTPUT:-/dev/null}"
say "installed $asset as $bin/rotor"
