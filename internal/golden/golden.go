// Package golden compares what a test produced with a golden file, the
// one way rotor's tests do it. `make update-golden` (go test -update on
// the packages that import this one) rewrites the golden files instead,
// for review in the diff.
//
// Only tests import it.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Suffix ends the name of every golden file.
const Suffix = ".golden"

var update = flag.Bool("update", false, "rewrite the golden files instead of comparing with them")

// Check compares got with the file at path. Under -update it writes got
// there (with its folder) and passes.
//
// Every golden file is named <name>.golden, after what it holds
// (testdata/plan.md.golden, testdata/setfields/bom.yaml.golden), so that
// one look at a folder tells the files tests compare with from their
// inputs; Check refuses any other name.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if !strings.HasSuffix(path, Suffix) {
		t.Fatalf("golden file %s: name it <name>%s (e.g. testdata/report.md%s)", path, Suffix, Suffix)
		return
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
