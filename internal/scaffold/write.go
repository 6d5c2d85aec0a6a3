package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Existing returns the paths of files that are already there under root
// (anything by that name: a file, a folder, a link, even a broken one).
func Existing(root string, files []File) []string {
	var out []string
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(f.Path))); err == nil {
			out = append(out, f.Path)
		}
	}
	return out
}

// Write writes files under root, all or nothing, and never over anything
// that exists:
//
//  1. each file is written to a temporary file in its own folder (made as
//     needed), and synced;
//  2. only when every one is written, each is put in place with a hard
//     link, which fails when the name is taken, even by a file made since
//     Existing looked (a file system without links: a rename after a
//     check);
//  3. on any failure, the files already in place and the folders made are
//     removed again. The temporary files never stay.
//
// The error names the file and what to do.
func Write(root string, files []File) (err error) {
	var made []string   // folders made, outermost first
	var placed []string // files put in place
	var temps []string
	defer func() {
		for _, t := range temps {
			os.Remove(t)
		}
		if err == nil {
			return
		}
		for i := len(placed) - 1; i >= 0; i-- {
			os.Remove(placed[i])
		}
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i]) // only when empty
		}
	}()
	for _, f := range files {
		name := filepath.Join(root, filepath.FromSlash(f.Path))
		dirs, err := mkdirAll(filepath.Dir(name))
		made = append(made, dirs...)
		if err != nil {
			return fmt.Errorf("make the folder of %s: %w", f.Path, err)
		}
		t, err := writeTemp(name, f.Data)
		if t != "" {
			temps = append(temps, t)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	for i, f := range files {
		name := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := place(temps[i], name); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		placed = append(placed, name)
	}
	return nil
}

// mkdirAll makes dir and the folders above it that are missing, and
// returns those it made, outermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil {
			return made, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}

// writeTemp writes data to a new temporary file beside name and returns
// its path (also on failure, when it was made).
func writeTemp(name string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return "", err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return tmp.Name(), err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return tmp.Name(), err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return tmp.Name(), err
	}
	return tmp.Name(), tmp.Close()
}

// ErrTaken is the error of Write when a name it was to write was taken
// after Existing looked.
var ErrTaken = errors.New("it exists now (made while the files were being written) and was left as it is")

// place gives the temporary file tmp the name name, unless name is taken.
func place(tmp, name string) error {
	err := os.Link(tmp, name)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return ErrTaken
	}
	// No hard links here: check, then rename.
	if _, err := os.Lstat(name); err == nil {
		return ErrTaken
	}
	return os.Rename(tmp, name)
}
