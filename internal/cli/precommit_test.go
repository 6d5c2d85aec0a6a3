package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The pre-commit hook the README documents exists, runs rotor validate on
// the whole register, and triggers on register files.
func TestPreCommitHook(t *testing.T) {
	raw, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `yaml:"id"`
		Entry         string `yaml:"entry"`
		Language      string `yaml:"language"`
		Files         string `yaml:"files"`
		PassFilenames *bool  `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(raw, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].ID != "rotor-validate" {
		t.Fatalf("hooks = %+v, want one with id rotor-validate", hooks)
	}
	h := hooks[0]
	if h.Entry != "rotor validate" || h.Language != "golang" || h.PassFilenames == nil || *h.PassFilenames {
		t.Errorf("hook %+v: want entry \"rotor validate\", language golang, pass_filenames false", h)
	}
	files := regexp.MustCompile(h.Files)
	for path, want := range map[string]bool{"credential_rotation/payments.yaml": true, "credential_rotation/.env": true, "docs/relay.md": false} {
		if files.MatchString(path) != want {
			t.Errorf("files %q matches %s: %v, want %v", h.Files, path, !want, want)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "id: rotor-validate") {
		t.Error("README does not show the rotor-validate hook")
	}
}
