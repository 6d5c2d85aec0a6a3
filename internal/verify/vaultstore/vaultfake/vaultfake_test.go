package vaultfake_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/verify/vaultstore/vaultfake"
)

// recordingT keeps what the fake reports instead of failing the test.
type recordingT struct {
	testing.TB
	errors []string
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingT) Helper() {}

func get(t *testing.T, f *vaultfake.Server, path string, header map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Vault-Token", vaultfake.Token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// shape lists every key of a JSON value with its type, "data/versions/*"
// for the members of a map keyed by version number.
func shape(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		out[prefix] = "object"
		for k, e := range x {
			if prefix == "/data/versions" {
				k = "*"
			}
			shape(prefix+"/"+k, e, out)
		}
	case nil:
		out[prefix] = "null"
	default:
		out[prefix] = fmt.Sprintf("%T", x)
	}
}

// TestMetadataReadHasTheDocumentedShape holds the fake's answer to the
// example of Vault's API reference (KV version 2, "Read secret metadata"),
// kept in testdata.
func TestMetadataReadHasTheDocumentedShape(t *testing.T) {
	doc, err := os.ReadFile("testdata/read-secret-metadata.json")
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal(doc, &want); err != nil {
		t.Fatal(err)
	}
	f := vaultfake.New(t)
	f.Put("secret", "my-secret",
		time.Date(2018, 3, 22, 2, 24, 6, 945319214, time.UTC),
		time.Date(2018, 3, 22, 2, 36, 33, 954880664, time.UTC),
		time.Date(2018, 3, 22, 2, 36, 43, 986212308, time.UTC))
	status, body := get(t, f, "/v1/secret/metadata/my-secret", nil)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var got any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	ws, gs := map[string]string{}, map[string]string{}
	shape("", want, ws)
	shape("", got, gs)
	var diffs []string
	for k, w := range ws {
		if k == "/data/delete_version_after" {
			continue // a duration in the example, "0s" in the fake: both strings
		}
		if gs[k] != w {
			diffs = append(diffs, fmt.Sprintf("%s: %q, documented %q", k, gs[k], w))
		}
	}
	for k := range gs {
		if _, ok := ws[k]; !ok {
			diffs = append(diffs, k+": not documented")
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("the fake's answer differs from the documented one:\n%s", strings.Join(diffs, "\n"))
	}
	data := got.(map[string]any)["data"].(map[string]any)
	v3 := data["versions"].(map[string]any)["3"].(map[string]any)
	if data["current_version"] != float64(3) || v3["created_time"] != "2018-03-22T02:36:43.986212308Z" {
		t.Errorf("current_version %v, version 3 created %v", data["current_version"], v3["created_time"])
	}
}

func TestValueReadsFailTheTest(t *testing.T) {
	for _, path := range []string{
		"/v1/secret/data/my-secret",
		"/v1/secret/data/my-secret?version=1",
		"/v1/secret/config",
		"/v1/secret/metadata/my-secret?list=true",
		"/v1/kv1/my-secret", // a KV version 1 read is a value
	} {
		t.Run(path, func(t *testing.T) {
			rt := &recordingT{TB: t}
			f := vaultfake.New(rt)
			f.MountKV1("", "kv1")
			f.Put("secret", "my-secret", time.Now())
			f.Put("kv1", "my-secret", time.Now())
			if status, _ := get(t, f, path, nil); status != http.StatusNotFound {
				t.Errorf("answered %d, want 404", status)
			}
			if len(rt.errors) != 1 || !strings.Contains(rt.errors[0], "reads a secret value") || len(f.ValueReads()) != 1 {
				t.Errorf("reported %q, want the value read", rt.errors)
			}
		})
	}
}

func TestErrorsAsVaultAnswersThem(t *testing.T) {
	f := vaultfake.New(t)
	f.Put("secret", "a", time.Now())
	f.Deny("", "secret", "a")
	for _, tc := range []struct {
		path   string
		header map[string]string
		status int
		body   string
	}{
		{"/v1/secret/metadata/missing", nil, 404, `{"errors":[]}`},
		{"/v1/nomount/metadata/a", nil, 404, `{"errors":["no handler for route \"nomount/metadata/a\". route entry not found."]}`},
		{"/v1/secret/metadata/a", nil, 403, `{"errors":["1 error occurred:\n\t* permission denied\n\n"]}`},
		{"/v1/secret/metadata/a", map[string]string{"X-Vault-Token": "hvs.wrong"}, 403, `{"errors":["permission denied"]}`},
		{"/v1/secret/metadata/a", map[string]string{"X-Vault-Namespace": "team-a"}, 404, `{"errors":["no handler for route \"secret/metadata/a\". route entry not found."]}`},
	} {
		status, body := get(t, f, tc.path, tc.header)
		if status != tc.status || strings.TrimSpace(string(body)) != tc.body {
			t.Errorf("GET %s %v = %d %s, want %d %s", tc.path, tc.header, status, body, tc.status, tc.body)
		}
	}
	f.Throttle(1)
	if status, body := get(t, f, "/v1/secret/metadata/a", nil); status != 429 || !strings.Contains(string(body), "rate limit quota exceeded") {
		t.Errorf("throttled: %d %s", status, body)
	}
}

func TestLatency(t *testing.T) {
	f := vaultfake.New(t)
	f.Put("secret", "a", time.Now())
	f.SetLatency(30 * time.Millisecond)
	start := time.Now()
	get(t, f, "/v1/secret/metadata/a", nil)
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("answered in %s, want at least the 30ms latency", d)
	}
}
