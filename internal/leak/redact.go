package leak

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Redacted replaces a secret in text that Redact cleans.
const Redacted = "[redacted]"

// Redact returns s with every secret replaced by "[redacted]", in its
// plain form and in the escaped forms that strconv.Quote and
// strconv.QuoteToASCII give it, since callers print values with %q (a
// secret with a quote, a backslash or a control character in it reads
// differently there). Longer secrets are replaced first, so a secret that
// contains another is removed whole. Empty secrets are ignored.
func Redact(s string, secrets []string) string {
	if len(secrets) == 0 {
		return s
	}
	sorted := slices.Clone(secrets)
	slices.SortFunc(sorted, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, sec := range sorted {
		if sec == "" {
			continue
		}
		s = strings.ReplaceAll(s, sec, Redacted)
		for _, q := range []string{strconv.Quote(sec), strconv.QuoteToASCII(sec)} {
			if q = q[1 : len(q)-1]; q != sec {
				s = strings.ReplaceAll(s, q, Redacted)
			}
		}
	}
	return s
}
