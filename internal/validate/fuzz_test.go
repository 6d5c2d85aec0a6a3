package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// FuzzValidateFile runs every rule on arbitrary input: it must never panic,
// and every finding must be positioned inside the file.
func FuzzValidateFile(f *testing.F) {
	examples, _ := filepath.Glob(filepath.Join("..", "..", "credential_rotation", "*.yaml"))
	for _, path := range examples {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(string(data))
		}
	}
	for _, m := range mutations {
		f.Add("credentials:\n  - " + m + "\n")
	}
	f.Add("credentials:\n  - id: a\n    name: x\n    owner: a@b.c\n    period_days: 9\n    last_changed: 2026-02-30\n    notice_days: 9\n")
	f.Add("a: &a [*a, *a]\n")
	f.Add("\xff\xfe")
	v := newTestValidator(f)
	settings := rotation.DefaultSettings()
	today := rotation.MustParseDate("2026-11-27")
	f.Fuzz(func(t *testing.T, data string) {
		_, findings := v.ValidateFile("x.yaml", []byte(data), settings, today)
		lines := strings.Count(data, "\n") + 2
		for _, fd := range findings {
			if fd.File != "x.yaml" || fd.Line < 1 || fd.Line > lines || fd.Column < 1 || fd.Rule == "" || fd.Message == "" {
				t.Fatalf("badly positioned finding %+v for %q", fd, data)
			}
			if fd.Severity != register.SeverityError && fd.Severity != register.SeverityWarning {
				t.Fatalf("bad severity %+v", fd)
			}
		}
	})
}
