// Package actioninstall_test runs scripts/action-install.sh, the rotor
// action's install step, against a release served over TLS by the test: the
// layout of `make release-snapshot` (rotor_<version>_<os>_<arch> and
// rotor_<version>_checksums.txt under the tag), fake gh and go commands
// that record how they were called, and nothing from the network.
package actioninstall_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

const (
	version = "v1.2.3"
	asset   = "rotor_1.2.3_linux_amd64"
	sums    = "rotor_1.2.3_checksums.txt"
)

// fakeRotor stands in for the released binary: it runs and says which
// version it is, as rotor --version does.
const fakeRotor = "#!/bin/sh\necho 'rotor version v1.2.3'\n"

// release is a GitHub release as the test serves it: the files under
// /<tag>/, every request logged.
type release struct {
	mu       sync.Mutex
	files    map[string]string // path → content
	redirect map[string]string // path → Location
	requests []string
	auth     []string // Authorization headers seen
}

func (r *release) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests = append(r.requests, req.URL.RequestURI())
	if a := req.Header.Get("Authorization"); a != "" {
		r.auth = append(r.auth, a)
	}
	body, ok := r.files[req.URL.Path]
	loc, moved := r.redirect[req.URL.Path]
	r.mu.Unlock()
	switch {
	case moved:
		http.Redirect(w, req, loc, http.StatusFound)
	case ok:
		_, _ = w.Write([]byte(body))
	default:
		http.NotFound(w, req)
	}
}

// snapshotRelease is the release of `make release-snapshot` for version,
// with the binary for linux/amd64 and its neighbours, and the checksums
// file sha256sum writes.
func snapshotRelease() *release {
	files := map[string]string{}
	var lines []string
	for _, name := range []string{
		"rotor_1.2.3_darwin_amd64", "rotor_1.2.3_darwin_arm64", asset, "rotor_1.2.3_linux_arm64",
		"rotor-relay_1.2.3_linux_amd64",
	} {
		content := "#!/bin/sh\necho 'not this one'\n"
		if name == asset {
			content = fakeRotor
		}
		files["/"+version+"/"+name] = content
		lines = append(lines, digest(content)+"  "+name)
	}
	slices.Sort(lines)
	files["/"+version+"/"+sums] = strings.Join(lines, "\n") + "\n"
	return &release{files: files, redirect: map[string]string{}}
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// run is one run of the script and what it left behind.
type run struct {
	code           int
	stderr         string
	bin            string   // ROTOR_BIN
	ghCalls        []string // one line of arguments per call of the fake gh
	goCalls        []string // the fake go's arguments, then GOBIN
	githubOutput   string
	installedRotor bool
}

// setup is what a case changes in the environment of a run.
type setup struct {
	env []string // KEY=value, over the defaults
	gh  string   // the fake gh's behaviour: "" (no gh), "attested", "unattested", "forged", "offline"
}

func runScript(t *testing.T, srv *httptest.Server, s setup) run {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	tools := filepath.Join(dir, "tools")
	if err := os.Mkdir(tools, 0o755); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, cert, 0o644); err != nil {
		t.Fatal(err)
	}
	ghLog, goLog := filepath.Join(dir, "gh.log"), filepath.Join(dir, "go.log")
	// The fake go records the call and installs a rotor where GOBIN says.
	writeTool(t, filepath.Join(tools, "go"), `echo "$*" >>`+quote(goLog)+`
echo "GOBIN=$GOBIN" >>`+quote(goLog)+`
printf '#!/bin/sh\necho built\n' >"$GOBIN/rotor"; chmod +x "$GOBIN/rotor"
`)
	gh := filepath.Join(tools, "gh-absent")
	if s.gh != "" {
		gh = filepath.Join(tools, "gh")
		writeTool(t, gh, `echo "$*" >>`+quote(ghLog)+`
case "$1 $FAKE_GH" in
"api attested"|"api forged") exit 0 ;;
"api unattested") echo 'gh: Not Found (HTTP 404)' >&2; exit 1 ;;
"api offline") echo 'To get started with GitHub CLI, please run:  gh auth login' >&2; exit 4 ;;
"attestation attested") echo 'Verification succeeded!' ; exit 0 ;;
"attestation forged") echo 'Verification failed' >&2; exit 1 ;;
esac
echo "fake gh: unexpected call: $*" >&2; exit 99
`)
	}
	out := filepath.Join(dir, "github_output")
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"RUNNER_OS=Linux", "RUNNER_ARCH=X64", "RUNNER_TEMP=" + dir,
		"ROTOR_VERSION=" + version, "ROTOR_BIN=" + bin,
		"ROTOR_RELEASE_BASE_URL=" + srv.URL,
		"ROTOR_GH=" + gh, "ROTOR_GO=" + filepath.Join(tools, "go"),
		"FAKE_GH=" + s.gh,
		"CURL_CA_BUNDLE=" + ca, "SSL_CERT_FILE=" + ca,
		"GITHUB_OUTPUT=" + out,
		// Never sent: the script downloads public assets without a token.
		"GITHUB_TOKEN=ghs_doNotSendThisToken0000000000000000", "GH_TOKEN=ghs_doNotSendThisToken0000000000000000",
	}
	cmd := exec.Command("bash", filepath.Join("..", "action-install.sh"))
	cmd.Env = append(env, s.env...) // the last of equal keys wins
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	err := cmd.Run()
	r := run{stderr: stderr.String(), bin: bin}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	r.ghCalls = readLines(t, ghLog)
	r.goCalls = readLines(t, goLog)
	if b, err := os.ReadFile(out); err == nil {
		r.githubOutput = string(b)
	}
	_, err = os.Stat(filepath.Join(bin, "rotor"))
	r.installedRotor = err == nil
	if strings.Contains(r.stderr, "ghs_doNotSendThisToken") {
		t.Errorf("the script printed the token:\n%s", r.stderr)
	}
	return r
}

func writeTool(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func requireTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	_, errSum := exec.LookPath("sha256sum")
	_, errShasum := exec.LookPath("shasum")
	if errSum != nil && errShasum != nil {
		t.Skip("neither sha256sum nor shasum is installed")
	}
}

func TestInstallsTheVerifiedRelease(t *testing.T) {
	requireTools(t)
	rel := snapshotRelease()
	srv := httptest.NewTLSServer(rel)
	defer srv.Close()

	r := runScript(t, srv, setup{})
	if r.code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", r.code, r.stderr)
	}
	out, err := exec.Command(filepath.Join(r.bin, "rotor"), "--version").Output()
	if err != nil {
		t.Fatalf("the installed rotor does not run: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "rotor version v1.2.3" {
		t.Errorf("rotor --version = %q, want the released binary's", got)
	}
	if want := []string{"/v1.2.3/" + asset, "/v1.2.3/" + sums}; !slices.Equal(rel.requests, want) {
		t.Errorf("requests = %q, want %q", rel.requests, want)
	}
	if len(rel.auth) > 0 {
		t.Errorf("the download sent Authorization headers: %d of them", len(rel.auth))
	}
	if r.goCalls != nil {
		t.Errorf("go was called: %q", r.goCalls)
	}
	if !strings.Contains(r.githubOutput, "how=release\n") {
		t.Errorf("GITHUB_OUTPUT = %q, want how=release", r.githubOutput)
	}
	// Without gh the attestation is not checked, and the log says so.
	if !strings.Contains(r.stderr, "::warning") || !strings.Contains(r.stderr, "gh is not on PATH") {
		t.Errorf("no warning that the attestation was not verified:\n%s", r.stderr)
	}
}

func TestFollowsGitHubsRedirectToHTTPSOnly(t *testing.T) {
	requireTools(t)
	rel := snapshotRelease()
	srv := httptest.NewTLSServer(rel)
	defer srv.Close()
	plain := httptest.NewServer(rel)
	defer plain.Close()

	// GitHub answers a release asset with a redirect to its storage host.
	rel.files["/storage/"+asset] = fakeRotor
	rel.redirect["/"+version+"/"+asset] = srv.URL + "/storage/" + asset
	if r := runScript(t, srv, setup{}); r.code != 0 || !r.installedRotor {
		t.Fatalf("redirect to https: exit %d, installed %v, want 0 and installed:\n%s", r.code, r.installedRotor, r.stderr)
	}

	rel.redirect["/"+version+"/"+asset] = plain.URL + "/storage/" + asset
	before := len(rel.requests)
	r := runScript(t, srv, setup{})
	if r.code != 1 || r.installedRotor {
		t.Errorf("redirect to http: exit %d, installed %v, want 1 and nothing installed:\n%s", r.code, r.installedRotor, r.stderr)
	}
	for _, req := range rel.requests[before:] {
		if strings.HasPrefix(req, "/storage/") {
			t.Errorf("the script followed a redirect to http: %s", req)
		}
	}
	if r.goCalls != nil {
		t.Errorf("a refused download fell back to go install: %q", r.goCalls)
	}
}

func TestRefusesWhatTheChecksumsDoNotVouchFor(t *testing.T) {
	requireTools(t)
	tests := []struct {
		name   string
		change func(*release)
		want   string // in the error
	}{
		{
			name:   "another binary",
			change: func(r *release) { r.files["/"+version+"/"+asset] = "#!/bin/sh\necho evil\n" },
			want:   "does not match its checksum",
		},
		{
			name: "no line for the asset",
			change: func(r *release) {
				var kept []string
				for _, l := range strings.Split(r.files["/"+version+"/"+sums], "\n") {
					if !strings.HasSuffix(l, "  "+asset) {
						kept = append(kept, l)
					}
				}
				r.files["/"+version+"/"+sums] = strings.Join(kept, "\n")
			},
			want: "has no SHA-256 line for " + asset,
		},
		{
			name:   "a line for a longer name only",
			change: func(r *release) { r.files["/"+version+"/"+sums] = digest(fakeRotor) + "  " + asset + ".sbom\n" },
			want:   "has no SHA-256 line for " + asset,
		},
		{
			name:   "no checksums file",
			change: func(r *release) { delete(r.files, "/"+version+"/"+sums) },
			want:   "has no checksums file " + sums + " (HTTP 404)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel := snapshotRelease()
			tc.change(rel)
			srv := httptest.NewTLSServer(rel)
			defer srv.Close()
			r := runScript(t, srv, setup{})
			if r.code != 1 {
				t.Errorf("exit %d, want 1:\n%s", r.code, r.stderr)
			}
			if r.installedRotor {
				t.Error("rotor was installed")
			}
			if !strings.Contains(r.stderr, "::error title=rotor action::") || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("the error does not say %q:\n%s", tc.want, r.stderr)
			}
			if r.goCalls != nil {
				t.Errorf("a refused binary fell back to go install: %q", r.goCalls)
			}
		})
	}
}

func TestBuildsWithGoOnlyWhenTheReleaseHasNoBinary(t *testing.T) {
	requireTools(t)
	rel := snapshotRelease()
	srv := httptest.NewTLSServer(rel)
	defer srv.Close()

	// linux/386: the release has no binary for it (404).
	r := runScript(t, srv, setup{env: []string{"RUNNER_ARCH=X86"}})
	if r.code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", r.code, r.stderr)
	}
	want := []string{"install -trimpath github.com/rotor-dev/rotor/cmd/rotor@v1.2.3", "GOBIN=" + r.bin}
	if !slices.Equal(r.goCalls, want) {
		t.Errorf("go calls = %q, want %q", r.goCalls, want)
	}
	if want := []string{"/v1.2.3/rotor_1.2.3_linux_386"}; !slices.Equal(rel.requests, want) {
		t.Errorf("requests = %q, want %q", rel.requests, want)
	}
	if !strings.Contains(r.githubOutput, "how=go-install\n") {
		t.Errorf("GITHUB_OUTPUT = %q, want how=go-install", r.githubOutput)
	}
}

func TestRefusesBadInputBeforeAnyDownload(t *testing.T) {
	requireTools(t)
	// A token where a base address has a user: never sent, never shown.
	const secret = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"windows", []string{"RUNNER_OS=Windows"}, "rotor is released for Linux and macOS only"},
		{"unknown arch", []string{"RUNNER_ARCH=RISCV64"}, `RUNNER_ARCH must be X64 or ARM64; got "RISCV64"`},
		{"a branch for a version", []string{"ROTOR_VERSION=main"}, `ROTOR_VERSION must be a release tag such as v1.2.3; got "main"`},
		{"plain http", []string{"ROTOR_RELEASE_BASE_URL=http://example.com/releases"}, "must be an https:// address"},
		{"plain http with a token", []string{"ROTOR_RELEASE_BASE_URL=http://x-access-token:" + secret + "@example.com/releases"}, `must be an https:// address; got "http://***@example.com/releases"`},
		{"a token in the address", []string{"ROTOR_RELEASE_BASE_URL=https://x-access-token:" + secret + "@example.com/releases"}, "must not carry credentials"},
		{"a user in the address", []string{"ROTOR_RELEASE_BASE_URL=https://" + secret + "@example.com/releases"}, "must not carry credentials"},
		{"attestation mode", []string{"ROTOR_ATTESTATION=maybe"}, "ROTOR_ATTESTATION must be auto, required or off"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rel := snapshotRelease()
			srv := httptest.NewTLSServer(rel)
			defer srv.Close()
			r := runScript(t, srv, setup{env: tc.env})
			if r.code != 2 || r.installedRotor || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, installed %v, want 2, nothing installed and %q:\n%s", r.code, r.installedRotor, tc.want, r.stderr)
			}
			if len(rel.requests) > 0 || r.goCalls != nil {
				t.Errorf("requests %q, go %q: want none", rel.requests, r.goCalls)
			}
			if strings.Contains(r.stderr, secret) {
				t.Errorf("the output shows the address's token:\n%s", r.stderr)
			}
		})
	}
}

func TestVerifiesTheAttestationWhenTheReleaseHasOne(t *testing.T) {
	requireTools(t)
	const verify = "attestation verify %s --repo rotor-dev/rotor --signer-workflow rotor-dev/rotor/.github/workflows/release.yml"
	api := "api --silent repos/rotor-dev/rotor/attestations/sha256:" + digest(fakeRotor)
	tests := []struct {
		name      string
		gh        string
		mode      string
		code      int
		calls     int    // gh calls: api, then verify
		message   string // in the output
		installed bool
	}{
		{"attested", "attested", "auto", 0, 2, "provenance verified", true},
		{"attested, required", "attested", "required", 0, 2, "provenance verified", true},
		{"forged", "forged", "auto", 1, 2, "does not verify", false},
		{"no attestation", "unattested", "auto", 0, 1, "has no provenance attestation", true},
		{"no attestation, required", "unattested", "required", 1, 1, "has no provenance attestation, and ROTOR_ATTESTATION is required", false},
		{"GitHub not asked", "offline", "auto", 0, 1, "could not ask GitHub", true},
		{"GitHub not asked, required", "offline", "required", 1, 1, "could not ask GitHub", false},
		{"no gh, required", "", "required", 1, 0, "the gh CLI is not on PATH", false},
		{"off", "forged", "off", 0, 0, "installed", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(snapshotRelease())
			defer srv.Close()
			r := runScript(t, srv, setup{gh: tc.gh, env: []string{"ROTOR_ATTESTATION=" + tc.mode}})
			if r.code != tc.code || r.installedRotor != tc.installed {
				t.Errorf("exit %d, installed %v; want %d, %v:\n%s", r.code, r.installedRotor, tc.code, tc.installed, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.message) {
				t.Errorf("the output does not say %q:\n%s", tc.message, r.stderr)
			}
			if len(r.ghCalls) != tc.calls {
				t.Fatalf("gh calls = %q, want %d", r.ghCalls, tc.calls)
			}
			if tc.calls > 0 && r.ghCalls[0] != api {
				t.Errorf("gh call = %q, want %q", r.ghCalls[0], api)
			}
			if tc.calls > 1 {
				file := strings.Fields(r.ghCalls[1])[2]
				if want := fmt.Sprintf(verify, file); r.ghCalls[1] != want || filepath.Base(file) != asset {
					t.Errorf("gh call = %q, want %q on the downloaded %s", r.ghCalls[1], want, asset)
				}
			}
		})
	}
}
