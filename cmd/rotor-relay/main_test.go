package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/cli"
	"github.com/rotor-dev/rotor/internal/relay"
	"github.com/rotor-dev/rotor/internal/relay/relaytest"
)

const (
	secret = "3f9a1c7e5b2d8046af13c9e7d5b1f082"
	token  = "github_pat_11TESTTOKENabcdefghij"
)

func TestConfigurationErrorsExit2(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), nil, func(string) string { return "" }, &stderr)
	if code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	for _, name := range []string{relay.EnvWebhookSecret, relay.EnvGitHubToken, relay.EnvRepository} {
		if !strings.Contains(stderr.String(), name) {
			t.Errorf("stderr does not name %s:\n%s", name, stderr.String())
		}
	}
}

// TestConfigurationErrorsRedactURLs: a refused ROTOR_GITHUB_API_URL is
// named, never repeated with a credential it may carry.
func TestConfigurationErrorsRedactURLs(t *testing.T) {
	for _, u := range []string{
		"ftp://x-access-token:SECRET@host",
		"https://ghe.example.com/api/v3/?access_token=SECRET",
		"ftp://host/?token=SECRET",
		"https://ghe.example.com/#SECRET",
		"ghe.example.com/?token=SECRET",
	} {
		env := map[string]string{
			relay.EnvWebhookSecret: secret,
			relay.EnvGitHubToken:   token,
			relay.EnvRepository:    "acme/register",
			relay.EnvGitHubAPIURL:  u,
		}
		var stderr bytes.Buffer
		if code := run(context.Background(), nil, func(k string) string { return env[k] }, &stderr); code != 2 {
			t.Errorf("%s: exit code %d, want 2", u, code)
		}
		if !strings.Contains(stderr.String(), relay.EnvGitHubAPIURL) || strings.Contains(stderr.String(), "SECRET") {
			t.Errorf("%s: want the variable named and no credential:\n%s", u, stderr.String())
		}
	}
}

// TestMalformedSettingsNeverShowTheirValue: every setting of the relay,
// set to a malformed value that embeds a secret, exits 2 naming the
// setting, and no piece of the secret shows.
func TestMalformedSettingsNeverShowTheirValue(t *testing.T) {
	for _, tt := range []struct{ name, value string }{
		{relay.EnvWebhookSecret, "Sm7pS3cretPassw0rd\n"},
		{relay.EnvWebhookSecret, "S3cret!"},
		{relay.EnvAutomationToken, "changeme-Sm7pS3cretPassw0rd"},
		{relay.EnvGitHubToken, "ghp_Sm7pS3cret Passw0rd"},
		{relay.EnvRepository, "ghp_Sm7pS3cretPassw0rd"},
		{relay.EnvGitHubAPIURL, "https://x-access-token:Sm7p/S3cret#Passw0rd"},
		{relay.EnvGitHubAPIURL, "ghp_Sm7pS3cretPassw0rd"},
		{relay.EnvAddr, "Sm7pS3cretPassw0rd"},
	} {
		env := map[string]string{
			relay.EnvWebhookSecret: secret,
			relay.EnvGitHubToken:   token,
			relay.EnvRepository:    "acme/register",
			relay.EnvAddr:          "127.0.0.1:0",
		}
		env[tt.name] = tt.value
		var stderr bytes.Buffer
		if code := run(context.Background(), nil, func(k string) string { return env[k] }, &stderr); code != 2 {
			t.Errorf("%s=%q: exit code %d, want 2", tt.name, tt.value, code)
		}
		out := strings.ToLower(stderr.String())
		if !strings.Contains(stderr.String(), tt.name) || strings.Contains(out, "sm7p") || strings.Contains(out, "s3cret") || strings.Contains(out, "passw0rd") {
			t.Errorf("%s=%q: want the variable named and no piece of its value:\n%s", tt.name, tt.value, stderr.String())
		}
	}
}

func TestUsage(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, os.Getenv, &stderr); code != 0 {
		t.Errorf("-h: exit code %d, want 0", code)
	}
	if !strings.Contains(stderr.String(), relay.EnvWebhookSecret) {
		t.Errorf("usage does not list the settings:\n%s", stderr.String())
	}
	if code := run(context.Background(), []string{"serve"}, os.Getenv, &stderr); code != 2 {
		t.Errorf("unknown argument: exit code %d, want 2", code)
	}
}

// startRelay builds the binary and starts it in front of a fake GitHub
// whose first call is held until release is called. It returns once the
// relay listens.
func startRelay(t *testing.T) (cmd *exec.Cmd, url string, gh *relaytest.GitHub, arrived <-chan struct{}, release func(), lines <-chan map[string]any) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the binary")
	}
	bin := filepath.Join(t.TempDir(), "rotor-relay")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	gh, ghSrv := relaytest.Start(t, "acme", "register", token)
	arrivedCh, held := make(chan struct{}), make(chan struct{})
	release = sync.OnceFunc(func() { close(held) })
	t.Cleanup(release)
	gh.OnCall = func(n int) {
		if n == 1 {
			close(arrivedCh)
			<-held
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	cmd = exec.CommandContext(ctx, bin)
	cmd.Env = []string{
		relay.EnvAddr + "=127.0.0.1:0",
		relay.EnvWebhookSecret + "=" + secret,
		relay.EnvGitHubToken + "=" + token,
		relay.EnvRepository + "=acme/register",
		relay.EnvGitHubAPIURL + "=" + ghSrv.URL,
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := make(chan map[string]any, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				ch <- m
			}
		}
	}()
	for m := range ch {
		if m["msg"] == "relay listening" {
			url, _ = m["url"].(string)
			break
		}
	}
	if url == "" {
		t.Fatal("the relay never said where it listens")
	}
	return cmd, url, gh, arrivedCh, release, ch
}

// postDone posts the signed done sample from a goroutine; the status (0 on
// a transport error) arrives on the channel.
func postDone(t *testing.T, url string) <-chan int {
	t.Helper()
	body, err := os.ReadFile("../../internal/relay/testdata/webhook-issue-updated-done.json")
	if err != nil {
		t.Fatal(err)
	}
	status := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", url+relay.PathJira, bytes.NewReader(body))
		req.Header.Set(relay.HeaderSignature, relay.Sign([]byte(secret), body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	return status
}

// TestSecondSignalStopsAtOnce: while the relay drains, a second SIGTERM
// ends it without waiting for the request in flight.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	cmd, url, _, arrived, _, lines := startRelay(t)
	postDone(t, url)
	<-arrived
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for m := range lines {
		if m["msg"] == "relay draining" {
			break
		}
	}
	exited := make(chan error, 1)
	go func() {
		for range lines {
		}
		exited <- cmd.Wait()
	}()
	// Repeat the second signal: the first of them may arrive before the
	// relay has let go of the handler.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case err := <-exited:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
				t.Errorf("exit: %v, want killed by SIGTERM", err)
			}
			return
		case <-tick.C:
			_ = cmd.Process.Signal(syscall.SIGTERM)
		case <-timeout:
			t.Fatal("still running 5s after the second SIGTERM")
		}
	}
}

// TestSIGTERMDrainsThenExits0 builds the binary, holds a forward in flight
// at the fake GitHub, sends SIGTERM, and checks that the request still gets
// its 200 and that the process then exits 0.
func TestSIGTERMDrainsThenExits0(t *testing.T) {
	cmd, url, gh, arrived, release, lines := startRelay(t)
	status := postDone(t, url)
	<-arrived
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for m := range lines {
		if m["msg"] == "relay draining" {
			break
		}
	}
	release()
	if got := <-status; got != http.StatusOK {
		t.Errorf("in-flight request: status %d, want 200", got)
	}
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("exit code %d, want 0", ee.ExitCode())
		}
		t.Fatal(err)
	}
	if gh.Accepted() != 1 {
		t.Errorf("GitHub accepted %d dispatches, want 1", gh.Accepted())
	}
}

// TestTakesTheFlagsOfRotorRelay: rotor-relay takes --addr as `rotor
// relay` does: it wins over ROTOR_RELAY_ADDR, and a malformed one is
// named, not shown, with exit 2.
func TestTakesTheFlagsOfRotorRelay(t *testing.T) {
	env := map[string]string{
		relay.EnvWebhookSecret: secret,
		relay.EnvGitHubToken:   token,
		relay.EnvRepository:    "acme/register",
		relay.EnvAddr:          "8080", // not host:port: --addr must win
	}
	getenv := func(k string) string { return env[k] }
	// Cancelled at once: the relay listens, drains and stops.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr bytes.Buffer
	if code := run(ctx, []string{"--addr", "127.0.0.1:0"}, getenv, &stderr); code != 0 {
		t.Fatalf("--addr 127.0.0.1:0: exit code %d, want 0\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), `"url":"http://127.0.0.1:`) {
		t.Errorf("the relay did not listen on --addr:\n%s", stderr.String())
	}
	stderr.Reset()
	if code := run(ctx, []string{"--addr", "Sm7pS3cret"}, getenv, &stderr); code != 2 {
		t.Errorf("a malformed --addr: exit code %d, want 2", code)
	}
	if out := stderr.String(); !strings.HasPrefix(out, "rotor-relay: configuration:\n--addr") || strings.Contains(out, "S3cret") {
		t.Errorf("want --addr named and its value not shown:\n%s", out)
	}
}

// helpFlags lists the flags a help text shows: the first word of every
// line that starts with "-", after its OPTIONS or Flags heading.
func helpFlags(help string) []string {
	var flags []string
	in := false
	for _, line := range strings.Split(help, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasSuffix(trimmed, "OPTIONS:") || strings.HasPrefix(trimmed, "Flags"):
			in = true
		case in && strings.HasPrefix(trimmed, "-"):
			flags = append(flags, strings.Fields(strings.ReplaceAll(trimmed, ",", " "))...)
		}
	}
	var names []string
	for _, f := range flags {
		if strings.HasPrefix(f, "-") {
			names = append(names, f)
		}
	}
	slices.Sort(names)
	return names
}

// TestHelpListsTheFlagsOfRotorRelay: rotor-relay --help and rotor relay
// --help show the same flags, and both answer --version.
func TestHelpListsTheFlagsOfRotorRelay(t *testing.T) {
	var own bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, func(string) string { return "" }, &own); code != 0 {
		t.Fatalf("rotor-relay --help: exit %d\n%s", code, own.String())
	}
	var out, errOut bytes.Buffer
	env := cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }, Now: time.Now}
	if code := cli.Main(context.Background(), []string{"relay", "--help"}, env); code != 0 {
		t.Fatalf("rotor relay --help: exit %d\n%s", code, errOut.String())
	}
	mine, theirs := helpFlags(own.String()), helpFlags(out.String())
	if !slices.Equal(mine, theirs) || len(mine) < 3 {
		t.Errorf("rotor-relay --help lists %v, rotor relay --help %v", mine, theirs)
	}
	out.Reset()
	if code := cli.Main(context.Background(), []string{"relay", "--version"}, env); code != 0 || !strings.Contains(out.String(), "version") {
		t.Errorf("rotor relay --version: exit %d, %q", code, out.String())
	}
}
