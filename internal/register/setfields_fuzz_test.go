package register

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSetFields: for any register file that holds the credential, SetFields
// either fails or returns a file that parses, holds the new values for that
// entry and every other value unchanged, and differs from the input only on
// the entry's lines that name the fields.
func FuzzSetFields(f *testing.F) {
	ins, _ := filepath.Glob(filepath.Join("testdata", "setfields", "*.in.yaml"))
	for _, path := range ins {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, setCases[strings.TrimSuffix(filepath.Base(path), ".in.yaml")], "SEC-42")
	}
	for _, s := range fuzzSeeds(f) {
		f.Add(s, "payments-db-admin", "SEC-42")
		f.Add(s, "a", "a # b")
	}
	f.Add([]byte("credentials:\n  - id: a\n    last_ticket: 'x' # c\n"), "a", "it's")
	f.Add([]byte("credentials: [{id: a, last_ticket: \"x\"}, {id: b}]\n"), "b", "x, y")
	f.Add([]byte("credentials:\n  - {id: a,\n     n: [1, {b: \"]\"}]\n  }\n"), "a", "SEC-1")
	f.Add([]byte("credentials:\n- id: stripe-api-key\r"), "stripe-api-key", "0")
	f.Add([]byte("credentials:\u2028- id: a\u2028  n: 1 # \u0085x\n"), "a", "SEC-1")
	f.Fuzz(func(t *testing.T, data []byte, id, ticket string) {
		doc, _ := Parse("f.yaml", data)
		if doc == nil || id == "" {
			return
		}
		fields := []Field{{Key: "last_changed", Value: "2026-11-28", Plain: true}, {Key: "last_ticket", Value: ticket}}
		out, err := SetFields(data, id, fields)
		if err != nil {
			return
		}
		assertSet(t, data, out, id, map[string]any{"last_changed": "2026-11-28", "last_ticket": ticket})
	})
}
