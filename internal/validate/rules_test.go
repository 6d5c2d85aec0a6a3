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

// TestRuleGoldenPairs validates each testdata/rules/<rule>.yaml as the one
// file of a register (its rotor.yaml for a settings rule), on rulesToday,
// and compares the findings, printed as rotor validate prints them, with
// <rule>.golden. go test -update rewrites the .golden files.
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
			if r, ok := ruleNamed(name); !ok {
				t.Fatalf("%s names no rule: rename it to a rule's name, or register its rule in rules (rule.go)", pair)
			} else if _, ok := r.(settingsRule); ok {
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
			golden.Check(t, strings.TrimSuffix(pair, ".yaml")+".golden", printFindings(root, res.Findings))
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

func ruleNamed(name string) (rule, bool) {
	for _, r := range rules {
		if r.name() == name {
			return r, true
		}
	}
	return nil, false
}

// TestRulesHaveAFileAndAPair: each registered rule has a name of its own,
// its own file rule_<name>.go, at least one hook, and a golden pair; each
// rule file and each golden file is a registered rule's.
func TestRulesHaveAFileAndAPair(t *testing.T) {
	names := map[string]bool{}
	for _, r := range rules {
		name := r.name()
		if names[name] {
			t.Errorf("two rules are named %q", name)
		}
		names[name] = true
		file := "rule_" + strings.ReplaceAll(name, "-", "_") + ".go"
		if _, err := os.Stat(file); err != nil {
			t.Errorf("rule %q is not in its own file: %v", name, err)
		}
		hooked := false
		switch r.(type) {
		case credentialRule, schemaRule, registerRule, settingsRule:
			hooked = true
		}
		if !hooked {
			t.Errorf("rule %q implements no hook, so it never runs", name)
		}
		for _, ext := range []string{".yaml", ".golden"} {
			if _, err := os.Stat(filepath.Join("testdata", "rules", name+ext)); err != nil {
				t.Errorf("rule %q has no golden %s: %v (write the .yaml, then go test -update writes the .golden)", name, ext, err)
			}
		}
	}
	files, err := filepath.Glob("rule_*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		name := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(f, "rule_"), ".go"), "_", "-")
		if !names[name] {
			t.Errorf("%s holds no registered rule named %q: register it in rules (rule.go)", f, name)
		}
	}
	golden, err := filepath.Glob(filepath.Join("testdata", "rules", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range golden {
		ext := filepath.Ext(f)
		if name := strings.TrimSuffix(filepath.Base(f), ext); !names[name] || (ext != ".yaml" && ext != ".golden") {
			t.Errorf("%s is no golden file of a registered rule", f)
		}
	}
}
