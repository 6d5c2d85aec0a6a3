package register

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Names of the special files at the register's root.
const (
	SettingsFile = "rotor.yaml"
	TemplateFile = "template.yaml"
	DefaultRoot  = "credential_rotation"
)

// Discover returns every register file under root, at any depth, sorted:
// *.yaml and *.yml, except rotor.yaml and template.yaml at the root. Hidden
// files and folders (".git") are skipped, and symbolic links to folders are
// not followed; a link to a file counts. Pipes, devices and other special
// files are skipped. Paths are root joined with the file's relative path.
func Discover(root string) ([]string, error) {
	info, err := os.Stat(root)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("register folder %q does not exist: run rotor from the repository root or pass --register", root)
		}
		return nil, fmt.Errorf("read register: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("register %q is not a folder: pass the folder that holds the YAML files with --register", root)
	}
	var files []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if path != root && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !IsRegisterFileName(name) || !isRegularFile(path, d) {
			return nil
		}
		if dir := filepath.Dir(path); filepath.Clean(dir) == filepath.Clean(root) && (name == SettingsFile || name == TemplateFile) {
			return nil
		}
		files = append(files, path)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read register %q: %w", root, err)
	}
	slices.Sort(files)
	return files, nil
}

// IsRegisterFileName reports whether name has a YAML extension.
func IsRegisterFileName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// isRegularFile reports whether path is a regular file or a symbolic link
// to one. A broken link counts, so that reading it reports the problem.
func isRegularFile(path string, d fs.DirEntry) bool {
	if d.Type().IsRegular() {
		return true
	}
	if d.Type()&fs.ModeSymlink == 0 {
		return false
	}
	fi, err := os.Stat(path)
	return err != nil || fi.Mode().IsRegular()
}
