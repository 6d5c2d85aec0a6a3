package cli

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/leak"
)

// corpusSample is one true positive of the leak corpus.
type corpusSample struct {
	kind, secret, text string
}

// readCorpus reads internal/leak/testdata/positives.tsv: kind, secret and
// a register line, tab-separated, with \n and \\ escapes.
func readCorpus(t *testing.T) []corpusSample {
	t.Helper()
	f, err := os.Open("../leak/testdata/positives.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unescape := strings.NewReplacer(`\\`, `\`, `\n`, "\n")
	var out []corpusSample
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			t.Fatalf("corpus line %q: want kind, secret and text", line)
		}
		out = append(out, corpusSample{parts[0], unescape.Replace(parts[1]), unescape.Replace(parts[2])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 60 {
		t.Fatalf("the corpus has %d samples, want at least 60", len(out))
	}
	return out
}

// TestNoOutputPrintsAPlantedSecret plants every secret of the leak corpus
// in a register, as the corpus writes it and again where other rules print
// the value (an owner that is not an email address, an unknown key), then
// greps everything rotor validate writes (text, JSON, annotations, the job
// summary) for every secret.
func TestNoOutputPrintsAPlantedSecret(t *testing.T) {
	samples := readCorpus(t)
	root := filepath.Join(t.TempDir(), "credential_rotation")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const entry = "credentials:\n  - id: %s\n    name: Sample\n    owner: %s\n    period_days: 90\n    last_changed: 2026-09-01\n"
	var settingsLines, templateLines []string
	for i, s := range samples {
		id := fmt.Sprintf("sample-%03d", i)
		write(id+".yaml", fmt.Sprintf(entry, id, "alice@example.com")+s.text+"\n")
		owner := "    owner: '" + s.secret + "'"
		if single := !strings.ContainsAny(s.secret, "\n'\\"); single && len(leak.Scan([]byte(owner)).Matches) > 0 {
			// A secret that trips the leak guard on its own, where other
			// findings quote it: as an owner, and as an unknown key. (A
			// password is a secret by its context, "password: ...", and
			// is planted in context above.)
			write(id+"-owner.yaml", fmt.Sprintf(entry, id+"-owner", "'"+s.secret+"'")+"    '"+s.secret+"': x\n")
			if i%5 == 0 {
				settingsLines = append(settingsLines, "# "+s.secret)
				templateLines = append(templateLines, "#   description: "+s.secret)
			}
		}
	}
	write("rotor.yaml", "notice_days: 14\n"+strings.Join(settingsLines, "\n")+"\n")
	write("template.yaml", "credentials: []\n"+strings.Join(templateLines, "\n")+"\n")

	summary := filepath.Join(t.TempDir(), "summary.md")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}
	var outputs []string
	for _, format := range []string{"text", "json"} {
		r := runRotor(t, env, "", "validate", "--register", root, "--format", format)
		if r.code != ExitFailed {
			t.Fatalf("validate --format %s: exit %d, want 1\n%s", format, r.code, r.stderr)
		}
		outputs = append(outputs, r.stdout, r.stderr)
		if format == "text" {
			for i, s := range samples {
				if file := fmt.Sprintf("sample-%03d.yaml:", i); !strings.Contains(r.stdout, file) || !containsLeakFinding(r.stdout, file) {
					t.Errorf("no [leak] finding for %s (%s)", file, s.kind)
				}
			}
		}
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(md))
	all := strings.Join(outputs, "\n")
	for _, s := range samples {
		for _, secret := range strings.Split(s.secret, "\n") {
			if len(secret) >= 8 && strings.Contains(all, secret) {
				t.Errorf("an output prints the %s %q", s.kind, secret)
			}
		}
	}
}

func containsLeakFinding(out, file string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, file) && strings.HasSuffix(line, "[leak]") {
			return true
		}
	}
	return false
}
