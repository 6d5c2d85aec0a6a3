package leak

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Redacted replaces a secret in what rotor prints.
const Redacted = "[redacted]"

// Scrub returns s with every secret that Scan finds in it replaced by
// Redacted, where it was found and nowhere else, so that a short secret
// (a one-character URL password, a PIN) leaves the rest of s as it was.
// Allowed matches stay. It serves text that is printed as it is: a commit's
// subject, an author's name.
func Scrub(s string) string {
	res := Scan([]byte(s))
	if len(res.Matches) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range res.Matches {
		if m.Allowed || m.Offset < last {
			continue
		}
		b.WriteString(s[last:m.Offset])
		b.WriteString(Redacted)
		last = m.Offset + len(m.Secret)
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// MinSearchLen is the length, in bytes, of the shortest secret that Redact
// searches for in a text. A shorter one (a one-character URL password, a
// PIN, hunter2) is as likely to be a piece of ordinary text as the secret:
// replacing it wherever it occurs would turn "description" into
// "descri[redacted]tion". Such a secret is taken out where it was found
// (see Scrub), and only there.
const MinSearchLen = 8

// Redact returns s with every secret replaced by Redacted wherever it
// occurs, in its plain form and in the escaped forms that strconv.Quote and
// strconv.QuoteToASCII give it, since callers print values with %q (a
// secret with a quote, a backslash or a control character in it reads
// differently there). Secrets shorter than MinSearchLen are ignored.
// Overlapping occurrences are replaced as one, so neither a secret that
// contains another nor two that overlap leave a piece behind. To redact
// many texts, make one Redactor.
func Redact(s string, secrets []string) string {
	return NewRedactor(secrets).Redact(s)
}

// A Redactor replaces a set of secrets in texts, as Redact does, in one
// pass over each text whatever the number of secrets.
type Redactor struct {
	// forms by their first MinSearchLen bytes, longest first.
	forms map[string][]string
}

// NewRedactor returns a Redactor of secrets.
func NewRedactor(secrets []string) *Redactor {
	r := &Redactor{}
	for _, sec := range secrets {
		if len(sec) < MinSearchLen {
			continue
		}
		for _, f := range []string{sec, strconv.Quote(sec), strconv.QuoteToASCII(sec)} {
			if f != sec {
				f = f[1 : len(f)-1]
			}
			if r.forms == nil {
				r.forms = map[string][]string{}
			}
			key := f[:MinSearchLen]
			if !slices.Contains(r.forms[key], f) {
				r.forms[key] = append(r.forms[key], f)
			}
		}
	}
	for _, fs := range r.forms {
		slices.SortFunc(fs, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	}
	return r
}

// Empty reports whether r has nothing to replace.
func (r *Redactor) Empty() bool { return r == nil || len(r.forms) == 0 }

// Redact returns s with r's secrets replaced by Redacted. Overlapping
// and adjacent occurrences are replaced as one.
func (r *Redactor) Redact(s string) string {
	if r.Empty() || len(s) < MinSearchLen {
		return s
	}
	var b strings.Builder
	last, start, end := 0, -1, -1 // the occurrences being merged: s[start:end]
	flush := func() {
		if start >= 0 {
			b.WriteString(s[last:start])
			b.WriteString(Redacted)
			last = end
		}
	}
	for i := 0; i+MinSearchLen <= len(s); i++ {
		for _, f := range r.forms[s[i:i+MinSearchLen]] {
			if !strings.HasPrefix(s[i:], f) {
				continue
			}
			if start >= 0 && i <= end {
				end = max(end, i+len(f))
			} else {
				flush()
				start, end = i, i+len(f)
			}
			break
		}
	}
	if start < 0 {
		return s
	}
	flush()
	b.WriteString(s[last:])
	return b.String()
}
