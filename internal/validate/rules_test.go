package validate

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/golden"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// rulesToday is the day the golden pairs are validated on.
var rulesToday = rotation.MustParseDate("2026-11-27")

// settingsPairs are the pairs read as rotor.yaml.
var settingsPairs = map[string]bool{"timezone": true, "recipient-email": true}

// TestRuleGoldenPairs validates each testdata/rules/<rule>.yaml as the one
// file of a register, on rulesToday, and compares the findings, printed as
// rotor validate prints them, with <rule>.out. go test -update rewrites
// the .out files.
func TestRuleGoldenPairs(t *testing.T) {
	pairs, err := filepath.Glob(filepath.Join("testdata", "rules", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) == 0 {
		t.Fatal("no golden pairs in testdata/rules")
	}
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range pairs {
		name := strings.TrimSuffix(filepath.Base(pair), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(pair)
			if err != nil {
				t.Fatal(err)
			}
			file := name + ".yaml"
			if settingsPairs[name] {
				file = register.SettingsFile
			}
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, file), data, 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := v.Validate(context.Background(), Options{Root: root, Today: rulesToday})
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, strings.TrimSuffix(pair, ".yaml")+".out", printFindings(root, res.Findings))
		})
	}
}

// printFindings prints findings as rotor validate does (one a line, the
// hint indented below), with paths relative to the register's root.
func printFindings(root string, fs []register.Finding) []byte {
	var b bytes.Buffer
	rel := func(s string) string { return strings.ReplaceAll(s, root+string(filepath.Separator), "") }
	for _, f := range fs {
		f.File, f.Message = filepath.ToSlash(rel(f.File)), rel(f.Message)
		fmt.Fprintln(&b, f.String())
		if f.Hint != "" {
			fmt.Fprintf(&b, "    hint: %s\n", f.Hint)
		}
	}
	return b.Bytes()
}
