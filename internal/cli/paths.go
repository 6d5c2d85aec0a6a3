package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/validate"
)

// resolvePaths turns the PATH arguments of rotor validate into absolute,
// cleaned paths, each a file or folder of the register. A PATH that does not
// exist, lies outside the register or names a file rotor does not read is a
// usage error: reporting "valid" for it would vouch for a file never checked.
func resolvePaths(root string, paths []string, res *validate.Result) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, usageError("register %q: %v", root, err)
	}
	known := make(map[string]bool, len(res.Files)+2)
	for _, f := range res.Files {
		if a, err := filepath.Abs(f); err == nil {
			known[a] = true
		}
	}
	known[filepath.Join(absRoot, register.SettingsFile)] = true
	known[filepath.Join(absRoot, register.TemplateFile)] = true

	out := make([]string, 0, len(paths))
	for _, p := range paths {
		a, err := filepath.Abs(p)
		if err != nil {
			return nil, usageError("PATH %q: %v", p, err)
		}
		fi, err := os.Stat(a)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, usageError("PATH %q does not exist; name a file or folder of the register %q", p, root)
		case err != nil:
			return nil, usageError("PATH %q: %v", p, err)
		}
		rel, err := filepath.Rel(absRoot, a)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, usageError("PATH %q is not inside the register %q; pass --register for another register", p, root)
		}
		if !fi.IsDir() && !known[a] {
			why := "rotor reads *.yaml and *.yml files"
			if slices.ContainsFunc(strings.Split(rel, string(filepath.Separator)), func(s string) bool { return strings.HasPrefix(s, ".") }) {
				why = "hidden files and folders are not part of the register"
			}
			return nil, usageError("PATH %q is not a register file: %s", p, why)
		}
		out = append(out, a)
	}
	return out, nil
}

// filterFindings keeps the findings in the given files or folders (absolute,
// cleaned paths); no paths keeps all.
func filterFindings(fs []register.Finding, paths []string) []register.Finding {
	if len(paths) == 0 {
		return fs
	}
	abs := map[string]string{} // a finding's file → its absolute path
	var out []register.Finding
	for _, f := range fs {
		file, ok := abs[f.File]
		if !ok {
			file, _ = filepath.Abs(f.File)
			abs[f.File] = file
		}
		for _, p := range paths {
			if file == p || strings.HasPrefix(file, p+string(filepath.Separator)) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}
