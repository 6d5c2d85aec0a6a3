package validate

import (
	"math"
	"regexp"
	"strings"
)

// A secretKind is one shape of secret material the leak guard recognises.
// prefix is a literal every match contains, checked first so that the
// regular expression runs only on the rare value that could match.
type secretKind struct {
	what   string
	prefix string
	re     *regexp.Regexp
	also   string // a second literal every match contains, if any
}

var secretKinds = []secretKind{
	{"a private key block", "-----BEGIN ", regexp.MustCompile(`-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----`), ""},
	{"an AWS access key id", "AKIA", regexp.MustCompile(`\bAKIA[0-9A-Z]{16}\b`), ""},
	{"an AWS temporary access key id", "ASIA", regexp.MustCompile(`\bASIA[0-9A-Z]{16}\b`), ""},
	{"a GitHub token", "ghp_", regexp.MustCompile(`\bghp_[A-Za-z0-9]{30,}`), ""},
	{"a GitHub token", "gho_", regexp.MustCompile(`\bgho_[A-Za-z0-9]{30,}`), ""},
	{"a GitHub token", "ghu_", regexp.MustCompile(`\bghu_[A-Za-z0-9]{30,}`), ""},
	{"a GitHub token", "ghs_", regexp.MustCompile(`\bghs_[A-Za-z0-9]{30,}`), ""},
	{"a GitHub token", "ghr_", regexp.MustCompile(`\bghr_[A-Za-z0-9]{30,}`), ""},
	{"a GitHub token", "github_pat_", regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{40,}`), ""},
	{"a GitLab token", "glpat-", regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}`), ""},
	{"a Slack token", "xox", regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`), ""},
	{"a Slack webhook URL", "hooks.slack.com/services/", regexp.MustCompile(`hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+`), ""},
	{"a Stripe secret key", "_live_", regexp.MustCompile(`\b[sr]k_live_[A-Za-z0-9]{20,}`), ""},
	{"a Google API key", "AIza", regexp.MustCompile(`\bAIza[A-Za-z0-9_-]{35}`), ""},
	{"an Atlassian API token", "ATATT", regexp.MustCompile(`\bATATT[A-Za-z0-9_=-]{30,}`), ""},
	{"an npm token", "npm_", regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`), ""},
	{"a SendGrid API key", "SG.", regexp.MustCompile(`\bSG\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}`), ""},
	{"an OpenAI API key", "sk-", regexp.MustCompile(`\bsk-(proj-)?[A-Za-z0-9_-]{32,}`), ""},
	{"a JSON Web Token", "eyJ", regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`), ""},
	{"a password in a URL", "://", regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`), "@"},
}

// minSecretLen is shorter than the shortest value any secretKind matches,
// so shorter values skip the scan entirely.
const minSecretLen = 16

// secretKindOf returns a description of the secret material s looks like,
// or "" when it looks like none. It never returns the matched text.
func secretKindOf(s string) string {
	if len(s) < minSecretLen {
		return ""
	}
	for i := range secretKinds {
		k := &secretKinds[i]
		if strings.Contains(s, k.prefix) && (k.also == "" || strings.Contains(s, k.also)) && k.re.MatchString(s) {
			return k.what
		}
	}
	return ""
}

// Entropy heuristics for free text: a run of at least minEntropyLen
// token characters whose Shannon entropy is at least minEntropyBits per
// character, and that mixes letters and digits, reads like a random secret
// rather than a word, a date or a host name.
const (
	minEntropyLen  = 24
	minEntropyBits = 4.0
)

// highEntropyToken reports whether s contains a long random-looking token.
func highEntropyToken(s string) bool {
	if len(s) < minEntropyLen {
		return false
	}
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isTokenByte(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= minEntropyLen && looksRandom(s[start:i]) {
			return true
		}
		start = -1
	}
	return false
}

func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '+' || c == '/' || c == '=' || c == '_' || c == '-'
}

func looksRandom(tok string) bool {
	var counts [256]int
	var lower, upper, digit bool
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		counts[c]++
		switch {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= '0' && c <= '9':
			digit = true
		}
	}
	if !digit || !(lower || upper) {
		return false
	}
	n := float64(len(tok))
	var h float64
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h >= minEntropyBits
}
