package rotor_test

// docs/architecture.md lists every package of rotor and what each may
// import. This test holds the page to the code: it fails when a package
// imports something its row does not allow, when a row allows something
// the package no longer imports, and when a package has no row or a row
// names no package.

import (
	"bufio"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

const (
	module   = "github.com/rotor-dev/rotor"
	archPage = "docs/architecture.md"
)

// rule is one row of the page's package table.
type rule struct {
	line    int
	allowed []string // import paths: rotor packages in full, third-party modules as prefixes
}

func TestArchitecturePageMatchesImports(t *testing.T) {
	pkgs := modulePackages(t)
	rules := readRules(t, pkgs)

	for _, path := range sortedKeys(pkgs) {
		r, ok := rules[path]
		if !ok {
			t.Errorf("%s: package %s has no row in the table: add one saying what it owns and may import", archPage, rel(path))
			continue
		}
		used := map[string]bool{}
		for _, imp := range pkgs[path] {
			if isStandard(imp) {
				continue
			}
			a := allowedBy(r.allowed, imp)
			if a == "" {
				t.Errorf("%s:%d: %s imports %s, which its row does not allow: add it to the row, or remove the import", archPage, r.line, rel(path), rel(imp))
				continue
			}
			used[a] = true
		}
		for _, a := range r.allowed {
			if !used[a] {
				t.Errorf("%s:%d: the row of %s allows %s, which it does not import: remove it from the row", archPage, r.line, rel(path), rel(a))
			}
		}
	}
	for _, path := range sortedKeys(rules) {
		if _, ok := pkgs[path]; !ok {
			t.Errorf("%s:%d: the row of %s names no package of the module", archPage, rules[path].line, rel(path))
		}
	}
}

// modulePackages returns every package of the module (not its tests) with
// what it imports.
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	pkgs := map[string][]string{}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "node_modules") {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(p, 0)
		if _, noGo := err.(*build.NoGoError); noGo || (err == nil && len(bp.GoFiles) == 0) {
			return nil // no package here, or only tests
		}
		if err != nil {
			return err
		}
		path := module
		if p != "." {
			path += "/" + filepath.ToSlash(p)
		}
		pkgs[path] = bp.Imports
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

var (
	tableRow = regexp.MustCompile("^\\|\\s*`([^`]+)`\\s*\\|")
	codeSpan = regexp.MustCompile("`([^`]+)`")
)

// readRules reads the package table: a row starts with a package's path in
// backticks, and its last cell names, in backticks, every package and
// module it may import. A rotor package is written as its path in the
// module (`internal/rotation`) or, below internal/, by its rest
// (`rotation`); a third-party module by its module path (`gopkg.in/yaml.v3`).
func readRules(t *testing.T, pkgs map[string][]string) map[string]rule {
	t.Helper()
	f, err := os.Open(archPage)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rules := map[string]rule{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		m := tableRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) < 3 {
			t.Errorf("%s:%d: a package row has three cells: package, what it owns, what it may import", archPage, n)
			continue
		}
		path := module + "/" + m[1]
		if _, dup := rules[path]; dup {
			t.Errorf("%s:%d: a second row for %s", archPage, n, m[1])
		}
		r := rule{line: n}
		for _, name := range codeSpan.FindAllStringSubmatch(cells[len(cells)-1], -1) {
			p, ok := resolve(name[1], pkgs)
			if !ok {
				t.Errorf("%s:%d: %q in the row of %s is neither a package of the module nor a module path", archPage, n, name[1], m[1])
				continue
			}
			r.allowed = append(r.allowed, p)
		}
		rules[path] = r
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rules) == 0 {
		t.Fatalf("%s: no package table found", archPage)
	}
	return rules
}

func resolve(name string, pkgs map[string][]string) (string, bool) {
	for _, p := range []string{module + "/" + name, module + "/internal/" + name} {
		if _, ok := pkgs[p]; ok {
			return p, true
		}
	}
	first, _, _ := strings.Cut(name, "/")
	if strings.Contains(first, ".") {
		return name, true
	}
	return "", false
}

// allowedBy returns the entry of allowed that admits imp: the same rotor
// package, or the third-party module imp belongs to.
func allowedBy(allowed []string, imp string) string {
	for _, a := range allowed {
		if imp == a {
			return a
		}
		if !strings.HasPrefix(a, module+"/") && strings.HasPrefix(imp, a+"/") {
			return a
		}
	}
	return ""
}

func isStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func rel(path string) string {
	if path == module {
		return "the module root"
	}
	return strings.TrimPrefix(path, module+"/")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
