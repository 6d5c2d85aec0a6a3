package githubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// documented is one answer of GitHub's REST API as
// shared/reference/github.md describes it, written down as a JSON file in
// testdata/rest (its README says how): the requests that get it, and the
// status and body they get.
type documented struct {
	Source     string `json:"source"`     // the section of github.md
	Documented string `json:"documented"` // what it says
	Route      string `json:"route"`      // the fake's route, as Routes names it
	Requests   []struct {
		Name string          `json:"name"`
		Path string          `json:"path"` // with the query
		Body json.RawMessage `json:"body"` // none when absent
	} `json:"requests"`
	Status int `json:"status"`
	// Body is an example of the answer: the answer must have every key it
	// has, with a value of the same JSON type (null is a type: null must
	// be null), arrays element by element and of the same length, except
	// that an empty array only asks for an array. Absent: no body at all.
	Body json.RawMessage `json:"body"`
	// Exact are JSON pointers into Body whose values the answer must
	// equal, not only match in type.
	Exact []string `json:"exact"`
}

const restDir = "testdata/rest"

func loadDocumented(t *testing.T) map[string]documented {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(restDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no documented answers in %s: %v", restDir, err)
	}
	out := map[string]documented{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d documented
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if d.Source == "" || d.Documented == "" || d.Route == "" || d.Status == 0 || len(d.Requests) == 0 {
			t.Fatalf("%s: source, documented, route, requests and status are required", f)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = d
	}
	return out
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// sameShape reports where got does not have the shape of the example want.
func sameShape(at string, want, got any) []string {
	if jsonType(want) != jsonType(got) {
		return []string{fmt.Sprintf("%s: %s, documented %s", pointerOrRoot(at), jsonType(got), jsonType(want))}
	}
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := at + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s: missing", p))
				continue
			}
			out = append(out, sameShape(p, w[k], gv)...)
		}
	case []any:
		g := got.([]any)
		if len(w) == 0 {
			return nil
		}
		if len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %d elements, documented %d", pointerOrRoot(at), len(g), len(w))}
		}
		for i := range w {
			out = append(out, sameShape(at+"/"+strconv.Itoa(i), w[i], g[i])...)
		}
	}
	return out
}

func pointerOrRoot(p string) string {
	if p == "" {
		return "the body"
	}
	return p
}

// resolve returns the value at JSON pointer p in v.
func resolve(v any, p string) (any, bool) {
	if p == "" {
		return v, true
	}
	if !strings.HasPrefix(p, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(p[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// compare reports how an answer differs from the documented one.
func (d documented) compare(status int, body []byte) []string {
	var out []string
	if status != d.Status {
		out = append(out, fmt.Sprintf("status %d, documented %d", status, d.Status))
	}
	answered := len(bytes.TrimSpace(body)) > 0
	if d.Body == nil {
		if answered {
			out = append(out, fmt.Sprintf("a body, documented none: %s", body))
		}
		return out
	}
	if !answered {
		return append(out, "no body, documented one")
	}
	var want, got any
	if err := json.Unmarshal(d.Body, &want); err != nil {
		return append(out, fmt.Sprintf("the documented body: %v", err))
	}
	if err := json.Unmarshal(body, &got); err != nil {
		return append(out, fmt.Sprintf("not JSON: %v: %s", err, body))
	}
	out = append(out, sameShape("", want, got)...)
	for _, p := range d.Exact {
		w, ok := resolve(want, p)
		if !ok {
			out = append(out, fmt.Sprintf("exact %q is not in the documented body", p))
			continue
		}
		if g, ok := resolve(got, p); ok && !reflect.DeepEqual(w, g) {
			wb, _ := json.Marshal(w)
			gb, _ := json.Marshal(g)
			out = append(out, fmt.Sprintf("%s: %s, documented %s", pointerOrRoot(p), gb, wb))
		}
	}
	return out
}

const (
	recordBranch = "rotor/record/payments-db-admin"
	recordSHA    = "4f2c0e8d1b7a9c3e5f6a8b0d2c4e6f8a0b1c3d5e"
)

// fidelitySetups prepare the fake for the requests of each documented
// answer, by file name.
var fidelitySetups = map[string]func(s *Server){
	"dispatch-accepted": func(*Server) {},
	"dispatch-refused":  func(*Server) {},
	"pulls-create":      func(s *Server) { s.AddBranch(recordBranch, recordSHA) },
	"pulls-create-exists": func(s *Server) {
		s.AddBranch(recordBranch, recordSHA)
		s.AddPullRequest(PullRequest{Title: "Record the rotation", Head: recordBranch, Base: "main"})
	},
	"pulls-create-unknown-head": func(s *Server) { s.AddBranch(recordBranch, recordSHA) },
	"pulls-list-open": func(s *Server) {
		s.AddPullRequest(PullRequest{Title: "wanted", Head: recordBranch, Base: "main"})
		s.AddPullRequest(PullRequest{Title: "another branch", Head: "rotor/record/other", Base: "main"})
		s.AddPullRequest(PullRequest{Title: "another base", Head: recordBranch, Base: "release"})
		s.AddPullRequest(PullRequest{Title: "closed", Head: recordBranch, Base: "main", State: "closed"})
	},
	"pulls-list-none": func(s *Server) {
		s.AddPullRequest(PullRequest{Title: "another branch", Head: recordBranch, Base: "main"})
	},
	"pulls-list-all": func(s *Server) {
		s.AddPullRequest(PullRequest{Title: "closed", Head: recordBranch, Base: "main", State: "closed"})
		s.AddPullRequest(PullRequest{Title: "merged", Head: recordBranch, Base: "main", Merged: true})
		s.AddPullRequest(PullRequest{Title: "open", Head: recordBranch, Base: "main"})
		s.AddPullRequest(PullRequest{Title: "another branch", Head: "rotor/record/other", Base: "main"})
	},
	"pulls-update": func(s *Server) {
		s.AddPullRequest(PullRequest{Title: "Record the rotation", Head: recordBranch, Base: "main"})
	},
	"issues-labels": func(s *Server) {
		s.AddPullRequest(PullRequest{Title: "Record the rotation", Head: recordBranch, Base: "main"})
	},
	"repos-get":        func(*Server) {},
	"repos-get-hidden": func(*Server) {},
	"token-not-accessible": func(s *Server) {
		s.AddBranch(recordBranch, recordSHA)
		s.Inject(ResourceNotAccessible(RouteCreatePull))
	},
}

// TestFidelity holds the fake's answers to GitHub's, as github.md
// documents them: for each documented answer, every request that should
// get it reaches the documented route and gets the documented status and
// a body of the documented shape.
func TestFidelity(t *testing.T) {
	docs := loadDocumented(t)

	t.Run("every documented answer has a setup, every setup an answer", func(t *testing.T) {
		for name := range docs {
			if fidelitySetups[name] == nil {
				t.Errorf("%s/%s.json: no setup in fidelitySetups", restDir, name)
			}
		}
		for name := range fidelitySetups {
			if _, ok := docs[name]; !ok {
				t.Errorf("fidelitySetups[%q]: no %s/%s.json", name, restDir, name)
			}
		}
	})

	t.Run("every route of the fake has a documented answer", func(t *testing.T) {
		covered := map[string]bool{}
		for _, d := range docs {
			covered[d.Route] = true
		}
		for _, r := range Routes() {
			if !covered[r] {
				t.Errorf("%s: no documented answer in %s", r, restDir)
			}
		}
	})

	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		d := docs[name]
		setup := fidelitySetups[name]
		if setup == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			method, _, _ := strings.Cut(d.Route, " ")
			for _, rq := range d.Requests {
				s := New(t)
				setup(s)
				code, _, _ := call(t, s, method, rq.Path, string(rq.Body), Token)
				exs := s.Exchanges()
				if len(exs) != 1 {
					t.Fatalf("%s: %d exchanges", rq.Name, len(exs))
				}
				ex := exs[0]
				if ex.Route != d.Route {
					t.Errorf("%s: %s %s reached %q, documented %q", rq.Name, method, rq.Path, ex.Route, d.Route)
				}
				if code != ex.Status {
					t.Errorf("%s: the client saw %d, the fake recorded %d", rq.Name, code, ex.Status)
				}
				for _, p := range d.compare(ex.Status, ex.ResponseBody) {
					t.Errorf("%s (%s: %s):\n  %s", rq.Name, d.Source, d.Documented, p)
				}
			}
		})
	}
}

// TestFidelityFails feeds answers that differ from the documented ones to
// the comparison: each difference must be reported.
func TestFidelityFails(t *testing.T) {
	pr := documented{
		Status: 201,
		Body:   json.RawMessage(`{"number":1,"state":"open","head":{"ref":"b","sha":"abc"},"merged_at":null,"labels":[],"errors":[{"code":"custom"},{"code":"invalid"}]}`),
		Exact:  []string{"/state", "/errors/1/code"},
	}
	const right = `{"number":7,"state":"open","head":{"ref":"x","sha":"def","label":"acme:x"},"merged_at":null,"labels":[{"name":"rotor"}],"errors":[{"code":"other"},{"code":"invalid"}],"extra":true}`
	if got := pr.compare(201, []byte(right)); len(got) > 0 {
		t.Fatalf("a matching answer is reported: %v", got)
	}
	tests := []struct {
		name   string
		doc    documented
		status int
		body   string
		want   string
	}{
		{"another status", pr, 200, right, "status 200, documented 201"},
		{"a missing key", pr, 201, strings.Replace(right, `"number":7,`, "", 1), "/number: missing"},
		{"a missing nested key", pr, 201, strings.Replace(right, `"sha":"def",`, "", 1), "/head/sha: missing"},
		{"a number as a string", pr, 201, strings.Replace(right, `"number":7`, `"number":"7"`, 1), "/number: string, documented number"},
		{"a string for null", pr, 201, strings.Replace(right, `"merged_at":null`, `"merged_at":"2026-11-24T09:30:00Z"`, 1), "/merged_at: string, documented null"},
		{"null for an object", pr, 201, strings.Replace(right, `"head":{"ref":"x","sha":"def","label":"acme:x"}`, `"head":null`, 1), "/head: null, documented object"},
		{"an object for an array", pr, 201, strings.Replace(right, `"labels":[{"name":"rotor"}]`, `"labels":{}`, 1), "/labels: object, documented array"},
		{"an array of another length", pr, 201, strings.Replace(right, `{"code":"other"},`, "", 1), "/errors: 1 elements, documented 2"},
		{"an element of another shape", pr, 201, strings.Replace(right, `{"code":"invalid"}`, `{"code":2}`, 1), "/errors/1/code: number, documented string"},
		{"another value where it is exact", pr, 201, strings.Replace(right, `"state":"open"`, `"state":"closed"`, 1), `/state: "closed", documented "open"`},
		{"an array for an object", pr, 201, `[]`, "the body: array, documented object"},
		{"not JSON", pr, 201, `<html>`, "not JSON"},
		{"no body", pr, 201, ``, "no body, documented one"},
		{"a body where none is documented", documented{Status: 204}, 204, `{}`, "a body, documented none"},
		{"an exact pointer the example lacks", documented{Status: 200, Body: json.RawMessage(`{}`), Exact: []string{"/nope"}}, 200, `{}`, `exact "/nope" is not in the documented body`},
		{"a list that should be empty", documented{Status: 200, Body: json.RawMessage(`[]`), Exact: []string{""}}, 200, `[{}]`, `the body: [{}], documented []`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.doc.compare(tt.status, []byte(tt.body))
			if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, tt.want) }) {
				t.Errorf("reported %q, want %q", got, tt.want)
			}
		})
	}
}
