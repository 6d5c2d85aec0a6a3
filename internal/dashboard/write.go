package dashboard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// MarkerFile is written into every site folder. WriteDir replaces only a
// folder that holds it (or an empty one, or none), so that a mistyped
// --out never deletes a folder of other files.
const MarkerFile = ".rotor-dashboard"

const markerText = "This folder is written by rotor dashboard and replaced whole on every run.\n"

// WriteDir writes the site into the folder dir, created when missing,
// replacing what a previous run wrote there. The site is written into a
// new folder beside dir first, and swapped in by two renames (dir aside,
// the new folder in its place) only when every file is written: a
// failure before the swap leaves the old site whole, and a failure of
// the second rename puts the old site back. Between the two renames, a
// moment, dir does not exist.
//
// (The method is not named WriteTo, which by Go's convention writes to
// an io.Writer.)
func (s *Site) WriteDir(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("site folder %q: %w", dir, err)
	}
	parent, base := filepath.Split(abs)
	if base == "" {
		return fmt.Errorf("site folder %q: choose a folder below the file system's root", dir)
	}
	exists, err := replaceable(abs, dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("site folder %q: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return fmt.Errorf("site folder %q: %w", dir, err)
	}
	if err := s.writeFiles(tmp); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("write the site beside %q (the old site is untouched): %w", dir, err)
	}
	if !exists {
		if err := os.Rename(tmp, abs); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("move the site to %q: %w", dir, err)
		}
		return nil
	}
	old, err := os.MkdirTemp(parent, "."+base+".old-")
	if err == nil {
		err = os.Remove(old) // the name is ours; the rename below needs it free
	}
	if err == nil {
		err = os.Rename(abs, old)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("move the old site at %q aside (it is untouched): %w", dir, err)
	}
	if err := os.Rename(tmp, abs); err != nil {
		if rerr := os.Rename(old, abs); rerr != nil {
			return fmt.Errorf("move the new site to %q: %w; and the old site could not be put back: it is at %q, the new one at %q", dir, err, old, tmp)
		}
		os.RemoveAll(tmp)
		return fmt.Errorf("move the new site to %q (the old site is back): %w", dir, err)
	}
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("the new site is at %q, but the old one could not be removed from %q: %w", dir, old, err)
	}
	return nil
}

// replaceable reports whether the folder abs exists, and refuses one that
// is not a folder or holds files but not the marker of a site.
func replaceable(abs, dir string) (bool, error) {
	fi, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("site folder %q: %w", dir, err)
	case !fi.IsDir():
		return false, fmt.Errorf("site folder %q is not a folder (a file or a link): choose another", dir)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return false, fmt.Errorf("site folder %q: %w", dir, err)
	}
	if len(entries) == 0 {
		return true, nil
	}
	if _, err := os.Lstat(filepath.Join(abs, MarkerFile)); err != nil {
		return false, fmt.Errorf("site folder %q holds files that rotor dashboard did not write (it has no %s): choose a new or empty folder", dir, MarkerFile)
	}
	return true, nil
}

func (s *Site) writeFiles(root string) error {
	if err := os.Chmod(root, 0o755); err != nil {
		return err
	}
	made := map[string]bool{}
	for _, p := range s.paths {
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return fmt.Errorf("%q is not a path inside the site", p)
		}
		full := filepath.Join(root, filepath.FromSlash(p))
		if d := filepath.Dir(full); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			made[d] = true
		}
		if err := writeFile(full, s.files[p]); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(root, MarkerFile), []byte(markerText), 0o644)
}

func writeFile(name string, f file) error {
	out, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := out.WriteString(f.head); err != nil {
		out.Close()
		return err
	}
	if _, err := out.Write(f.body); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
