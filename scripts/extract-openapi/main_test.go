package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A small description: two paths, schemas that reference each other (A →
// B → C → A), one through a pointer inside a component, and components no
// kept operation reaches.
const tiny = `{
  "openapi": "3.0.1",
  "info": {"title": "t", "version": "1.2.3"},
  "servers": [{"url": "https://example.test"}],
  "tags": [{"name": "left out"}],
  "paths": {
    "/a": {
      "parameters": [{"$ref": "#/components/parameters/P"}],
      "get": {"security": [{"basicAuth": []}], "responses": {"200": {"description": "ok <b>&</b>",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}},
      "post": {"responses": {"201": {"description": "made", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/D"}}}}}}
    },
    "/b/{id}": {
      "put": {"responses": {"204": {"description": "none", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/B~1x/properties/n"}}}}}}
    },
    "/c": {"get": {"responses": {"200": {"description": "c"}}}}
  },
  "components": {
    "parameters": {"P": {"in": "query", "name": "p", "schema": {"type": "integer", "maximum": 1.50}}},
    "schemas": {
      "A": {"allOf": [{"$ref": "#/components/schemas/B~1x"}]},
      "B/x": {"properties": {"n": {"type": "integer"}, "c": {"$ref": "#/components/schemas/C"}}},
      "C": {"items": {"$ref": "#/components/schemas/A"}, "type": "array"},
      "D": {"type": "string"},
      "E": {"type": "string"}
    },
    "securitySchemes": {"basicAuth": {"scheme": "basic", "type": "http"}, "OAuth2": {"type": "oauth2"}}
  }
}`

func keys(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestExtract(t *testing.T) {
	got, err := extract([]byte(tiny), []string{"PUT /b/{id}", "GET /a"})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	comps := doc["components"].(map[string]any)
	paths := doc["paths"].(map[string]any)
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"top level", keys(doc), []string{"components", "info", "openapi", "paths", "servers"}},
		{"paths", keys(paths), []string{"/a", "/b/{id}"}},
		{"operations of /a", keys(paths["/a"]), []string{"get", "parameters"}},
		{"components", keys(comps), []string{"parameters", "schemas", "securitySchemes"}},
		{"schemas", keys(comps["schemas"]), []string{"A", "B/x", "C"}},
		{"security schemes", keys(comps["securitySchemes"]), []string{"basicAuth"}},
		{"info", keys(doc["info"]), []string{"title", "version", "x-rotor-subset"}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	for _, want := range []string{`"maximum": 1.50`, `"description": "ok <b>&</b>"`, `"PUT /b/{id}"`, `"sourceSHA256": "`} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("the subset lacks %s:\n%s", want, got)
		}
	}

	again, err := extract([]byte(tiny), []string{"GET /a", "PUT /b/{id}"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Errorf("two runs (routes in another order) differ:\n%s\n---\n%s", got, again)
	}
}

func TestExtractRefuses(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		routes []string
		want   string
	}{
		{"an operation the description lacks", tiny, []string{"DELETE /a"}, "no operation DELETE /a"},
		{"a path the description lacks", tiny, []string{"GET /nowhere"}, "no operation GET /nowhere"},
		{"not a route", tiny, []string{"/a"}, `route "/a"`},
		{"a dangling $ref", strings.Replace(tiny, `"D": {"type": "string"},`, "", 1), []string{"POST /a"}, `"#/components/schemas/D": no such component`},
		{"a $ref outside the document", strings.Replace(tiny, "#/components/schemas/D", "other.json#/D", 1), []string{"POST /a"}, "does not point into"},
		{"an unknown security scheme", strings.Replace(tiny, `"basicAuth": {`, `"other": {`, 1), []string{"GET /a"}, `security requirement "basicAuth"`},
		{"not JSON", "{", []string{"GET /a"}, "unexpected EOF"},
		{"not OpenAPI", `{"swagger": "2.0"}`, []string{"GET /a"}, "not an OpenAPI document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := extract([]byte(tt.doc), tt.routes)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// TestCommittedSubsetIsCurrent checks that the committed subset is what
// the extractor writes from Atlassian's description for the fake's
// routes today. It is the one check that needs the full description, so
// the one that skips without it; internal/jira's OpenAPI test reads only
// the committed subset and always runs.
func TestCommittedSubsetIsCurrent(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	full, err := findDescription(wd)
	switch {
	case err != nil && os.Getenv("ROTOR_JIRA_OPENAPI") != "":
		t.Fatal(err)
	case err != nil:
		t.Skip(err)
	}
	committed := filepath.Join("..", "..", subsetPath)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-check", "-in", full, "-out", committed}, &stdout, &stderr); code != 0 {
		t.Errorf("exit %d: %s", code, stderr.String())
	}

	t.Run("a stale subset is reported", func(t *testing.T) {
		b, err := os.ReadFile(committed)
		if err != nil {
			t.Fatal(err)
		}
		stale := filepath.Join(t.TempDir(), "stale.json")
		if err := os.WriteFile(stale, bytes.Replace(b, []byte(`"GET /rest/api/3/field"`), []byte(`"GET /rest/api/3/fields"`), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout.Reset()
		stderr.Reset()
		if code := run([]string{"-check", "-in", full, "-out", stale}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), regenerate) {
			t.Errorf("exit %d, stderr %q: want 1 and the command that regenerates it", code, stderr.String())
		}
	})
}

func TestRunWrites(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "tiny.json")
	if err := os.WriteFile(in, []byte(tiny), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	// The fake's routes are not in the tiny description: run names the first.
	if code := run([]string{"-in", in, "-out", filepath.Join(dir, "out.json")}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "the description has no operation GET /rest/api/3/") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "out.json")); !os.IsNotExist(err) {
		t.Errorf("a failed run wrote its output: %v", err)
	}
	if code := run([]string{"-no-such-flag"}, &stdout, &stderr); code != 2 {
		t.Errorf("an unknown flag: exit %d", code)
	}
}
