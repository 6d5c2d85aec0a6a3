package register

import (
	"context"
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

// Tree is what a register folder holds.
type Tree struct {
	// Files are the register files, sorted: *.yaml and *.yml at any depth,
	// except the settings and template at the root. Hidden files and
	// folders (".git") are skipped, and symbolic links to folders are not
	// followed; a link to a file counts. Pipes, devices and other special
	// files are skipped. Paths are root joined with the relative path.
	Files []string
	// Settings and Template are the settings file and the template at the
	// root, or "" when absent.
	Settings, Template string
	// Others are every other regular file under root, hidden ones included
	// (".env", ".drafts/x.yaml"), sorted: none is a credential, but each is
	// in the repository, so the leak guard reads them too. A ".git" folder
	// is not descended into.
	Others []string
}

// Discover returns the register files under root (Tree.Files).
func Discover(root string) ([]string, error) {
	t, err := Walk(context.Background(), root)
	if err != nil {
		return nil, err
	}
	return t.Files, nil
}

// Walk lists the register folder root. It stops when ctx is done.
func Walk(ctx context.Context, root string) (*Tree, error) {
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
	t := &Tree{}
	cleanRoot := filepath.Clean(root)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if path == root {
			return nil
		}
		name := d.Name()
		hidden := strings.HasPrefix(name, ".")
		if d.IsDir() {
			if name == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !isRegularFile(path, d) {
			return nil
		}
		hidden = hidden || hiddenBelow(cleanRoot, path)
		atRoot := filepath.Dir(path) == cleanRoot
		switch {
		case hidden || !IsRegisterFileName(name):
			t.Others = append(t.Others, path)
		case atRoot && name == SettingsFile:
			t.Settings = path
		case atRoot && name == TemplateFile:
			t.Template = path
		default:
			t.Files = append(t.Files, path)
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("read register %q: %w", root, err)
	}
	slices.Sort(t.Files)
	slices.Sort(t.Others)
	return t, nil
}

// hiddenBelow reports whether a folder between root and path is hidden.
func hiddenBelow(root, path string) bool {
	for dir := filepath.Dir(path); len(dir) > len(root); dir = filepath.Dir(dir) {
		if strings.HasPrefix(filepath.Base(dir), ".") {
			return true
		}
	}
	return false
}

// IsCredentialPath reports whether rel, a slash-separated path relative to
// the register's folder, is a file the register reads credentials from,
// as Walk finds them: *.yaml or *.yml, no hidden file or folder on the
// way, and not the settings or the template at the register's root.
func IsCredentialPath(rel string) bool {
	for _, part := range strings.Split(rel, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	return IsRegisterFileName(rel) && rel != SettingsFile && rel != TemplateFile
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
