package cli

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRelayRefusesToStartWithoutASecret(t *testing.T) {
	r := runRotor(t, map[string]string{"GITHUB_TOKEN": "x", "ROTOR_GITHUB_REPOSITORY": "o/r"}, "", "relay")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "ROTOR_JIRA_WEBHOOK_SECRET") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestRelayServesAndDrains(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := map[string]string{
		"ROTOR_JIRA_WEBHOOK_SECRET": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"GITHUB_TOKEN":              "ghs_test",
		"ROTOR_GITHUB_REPOSITORY":   "acme/register",
		"ROTOR_GITHUB_API_URL":      "http://127.0.0.1:1/",
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr strings.Builder
	var mu sync.Mutex
	done := make(chan int)
	go func() {
		e := Env{
			Stdin: strings.NewReader(""), Stdout: &strings.Builder{}, Stderr: lockedWriter{&mu, &stderr},
			Getenv: func(k string) string { return env[k] }, Now: time.Now,
		}
		done <- Main(ctx, []string{"relay", "--addr", addr}, e)
	}()
	// Poll until the relay listens, or stop at once if it exited.
	var resp *http.Response
	for range 100 {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		select {
		case code := <-done:
			mu.Lock()
			t.Fatalf("relay exited %d:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err != nil {
		t.Fatalf("relay did not answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(stderr.String(), env["ROTOR_JIRA_WEBHOOK_SECRET"]) || strings.Contains(stderr.String(), "ghs_test") {
		t.Fatalf("a secret was logged:\n%s", stderr.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestRelayRedactsURLs: a refused ROTOR_GITHUB_API_URL is named, never
// repeated with a credential it may carry.
func TestRelayRedactsURLs(t *testing.T) {
	for _, u := range []string{
		"ftp://x-access-token:SECRET@host",
		"https://ghe.example.com/api/v3/?access_token=SECRET",
		"ftp://host/?token=SECRET",
		"https://ghe.example.com/#SECRET",
		"ghe.example.com/?token=SECRET",
	} {
		t.Run(u, func(t *testing.T) {
			r := runRotor(t, map[string]string{
				"ROTOR_JIRA_WEBHOOK_SECRET": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
				"GITHUB_TOKEN":              "ghs_test",
				"ROTOR_GITHUB_REPOSITORY":   "acme/register",
				"ROTOR_GITHUB_API_URL":      u,
			}, "", "relay")
			if r.code != ExitUsage || !strings.Contains(r.stderr, "ROTOR_GITHUB_API_URL") {
				t.Fatalf("exit %d, want %d naming ROTOR_GITHUB_API_URL:\n%s", r.code, ExitUsage, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, "SECRET") {
				t.Errorf("the output repeats a credential:\n%s%s", r.stdout, r.stderr)
			}
		})
	}
}

// TestRelayTakesTheCommandLineOfRotorRelay: `rotor relay` parses its
// command line as rotor-relay does (relay.Main): an argument or an
// unknown flag is a usage error, and --addr= works as --addr does.
func TestRelayTakesTheCommandLineOfRotorRelay(t *testing.T) {
	env := map[string]string{
		"ROTOR_JIRA_WEBHOOK_SECRET": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"GITHUB_TOKEN":              "ghs_test",
		"ROTOR_GITHUB_REPOSITORY":   "acme/register",
	}
	for _, tt := range []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"relay", "serve"}, ExitUsage, "rotor: the relay takes no arguments"},
		{[]string{"relay", "--port", "1"}, ExitUsage, "rotor: flag provided but not defined: -port"},
		{[]string{"relay", "--addr=nope"}, ExitUsage, "rotor: --addr: not a listen address"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runRotorWithin(t, 10*time.Second, env, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.say) {
				t.Errorf("exit %d, want %d saying %q:\n%s", r.code, tt.code, tt.say, r.stderr)
			}
		})
	}
}
