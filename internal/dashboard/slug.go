package dashboard

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// maxSlugBase bounds the readable part of a team's file name.
const maxSlugBase = 48

// teamSlugs maps every team name to the base name of its page
// (teams/<slug>.html): lower-case ASCII letters, digits and hyphens, safe
// on every file system and in a URL.
//
// A name that is already such a slug (and no reserved name) is its own
// slug, so "payments" is teams/payments.html. Any other name is written
// with its other characters folded to hyphens, followed by eight hex
// digits of its SHA-256, so "Payments Team" and "payments team" get
// different files and a name keeps its file from run to run. Should two
// names still meet (a name written to look like another's hashed slug),
// the later one in sort order gets "-2", "-3"… after it: no two teams ever
// share a file.
func teamSlugs(names []string) map[string]string {
	names = slices.Clone(names)
	slices.Sort(names)
	names = slices.Compact(names)
	out := make(map[string]string, len(names))
	taken := map[string]bool{}
	for _, name := range names {
		s := slugOf(name)
		if taken[s] {
			for n := 2; ; n++ {
				if c := s + "-" + strconv.Itoa(n); !taken[c] {
					s = c
					break
				}
			}
		}
		taken[s] = true
		out[name] = s
	}
	return out
}

func slugOf(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
		if b.Len() >= maxSlugBase {
			break
		}
	}
	base := b.String()
	if base != "" && base == name && !reservedSlug(base) {
		return base
	}
	if base == "" {
		base = "team"
		if name == "" {
			base = "no-team"
		}
	}
	sum := sha256.Sum256([]byte(name))
	return base + "-" + hex.EncodeToString(sum[:4])
}

// reservedSlug reports whether s may not name a page: the site's own
// index, and the device names Windows refuses as file names.
func reservedSlug(s string) bool {
	switch s {
	case "index", "con", "prn", "aux", "nul":
		return true
	}
	if len(s) == 4 && (strings.HasPrefix(s, "com") || strings.HasPrefix(s, "lpt")) && s[3] >= '0' && s[3] <= '9' {
		return true
	}
	return false
}
