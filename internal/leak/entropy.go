package leak

import (
	"bytes"
	"math"
)

// The entropy detector: a word (white space splits the line) whose
// random-looking parts are long, mixed and of high Shannon entropy, in
// any character class: letters, digits and punctuation alike.
//
// A word is split into parts at the delimiters of identifiers, paths,
// emails, URLs and base64 (entropyDelim). A part is ordinary (wordLike)
// when it is short, digits, hex, or letters and digits in at most three
// runs whose letters read as words (lower, UPPER, Capitalized, camelCase
// with no one-letter hump). Only the other parts count. This is what lets
// payments-postgres-credential-1234, UUIDs, Jira account ids, commit SHAs,
// sha256 image digests, ARNs with their six-character suffix (db-AbCdEf),
// Kubernetes secret names with a generated suffix and camelCase names
// through, while xK9#mP2$vL8@nQ4!zR7&wT5^ and a 40-character base64 key
// are found. Pure hex is never flagged here: it is what commit SHAs and
// digests look like; hex secrets are found after a keyword instead.
const (
	minEntropyWord   = 20  // shortest word looked at
	minRandomLen     = 16  // shortest total length of its random parts
	minEntropyBits   = 3.5 // Shannon entropy per byte of the random parts
	minEntropyMixing = 2   // classes (lower, upper, digit, symbol) they mix
)

const kindEntropy = "a high-entropy string"

// entropyDelim separates parts; the secretSymbols stay inside them.
var entropyDelim = newCharset(`-_.:/@,;+=%?'"()[]{}<>` + "`")

var (
	openers = newCharset("\"'`([{<")
	closers = newCharset("\"'`)]}>.,;:")
)

// sshPublicKeys are the base64 openings of public SSH keys (ssh-rsa,
// ssh-ed25519, ecdsa-sha2-*): public, so not secrets.
var sshPublicKeys = []string{"AAAAB3NzaC1", "AAAAC3NzaC1", "AAAAE2VjZHNh"}

// digestPrefixes open fingerprints and digests, which are public.
var digestPrefixes = []string{"sha256:", "sha512:", "sha384:", "sha1:", "md5:"}

func (s *scanner) entropy(lineNo int, ln []byte, a, b int) {
	// Trim quotes and brackets, and sentence punctuation at the end.
	for a < b && openers[ln[a]] {
		a++
	}
	for b > a && closers[ln[b-1]] {
		b--
	}
	for _, p := range digestPrefixes {
		if b-a > len(p) && equalFold(ln[a:a+len(p)], p) {
			return
		}
	}
	// Drop a leading name= or name: (key=value in a comment); the value is
	// the candidate.
	for i := a; i < b; i++ {
		c := ln[i]
		if c == '=' || c == ':' {
			if i > a && i+1 < b && ln[i+1] != '=' && ln[i+1] != '/' {
				a = i + 1
			}
			break
		}
		if !isLetter(c) && !isDigit(c) && c != '_' && c != '-' && c != '.' {
			break
		}
	}
	w := ln[a:b]
	if len(w) < minRandomLen || isEmail(w) {
		return
	}
	for _, p := range sshPublicKeys {
		if bytes.HasPrefix(w, []byte(p)) {
			return
		}
	}

	var counts [256]uint8
	n := 0
	var classes [4]bool
	start := 0
	for i := 0; i <= len(w); i++ {
		if i < len(w) && !entropyDelim[w[i]] {
			continue
		}
		p := w[start:i]
		start = i + 1
		if wordLike(p) {
			continue
		}
		for _, c := range p {
			if counts[c] < 255 {
				counts[c]++
			}
			n++
			switch {
			case isLower(c):
				classes[0] = true
			case isUpper(c):
				classes[1] = true
			case isDigit(c):
				classes[2] = true
			default:
				classes[3] = true
			}
		}
	}
	if n < minRandomLen {
		return
	}
	mix := 0
	for _, c := range classes {
		if c {
			mix++
		}
	}
	if mix < minEntropyMixing || shannon(&counts, n) < minEntropyBits {
		return
	}
	s.add(lineNo, ln, a, b, kindEntropy)
}

func shannon(counts *[256]uint8, n int) float64 {
	var h float64
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(n)
			h -= p * math.Log2(p)
		}
	}
	return h
}

// wordLike reports whether a part, free of entropyDelim, is ordinary.
func wordLike(p []byte) bool {
	if len(p) <= 6 {
		return true
	}
	hex := true
	for _, c := range p {
		if c >= 0x80 {
			return true // non-ASCII text is prose, not a token
		}
		if !isLetter(c) && !isDigit(c) {
			return false // a secretSymbol, a control byte
		}
		if !csHex[c] {
			hex = false
		}
	}
	if hex {
		return true
	}
	// At most three runs of letters and digits, each letter run reading as
	// words.
	runs := 0
	for i := 0; i < len(p); {
		j := i
		if isDigit(p[i]) {
			for j < len(p) && isDigit(p[j]) {
				j++
			}
		} else {
			for j < len(p) && isLetter(p[j]) {
				j++
			}
			if !wordyLetters(p[i:j]) {
				return false
			}
		}
		runs++
		i = j
	}
	return runs <= 3
}

// wordyLetters: a run of letters split at case humps (camelCase, an
// ACRONYMWord) has no one-letter piece. Random mixed case has many.
func wordyLetters(r []byte) bool {
	if len(r) <= 3 {
		return true
	}
	seg := 1
	for i := 1; i < len(r); i++ {
		hump := isUpper(r[i]) && isLower(r[i-1]) ||
			isUpper(r[i]) && i+1 < len(r) && isLower(r[i+1]) && isUpper(r[i-1])
		if hump {
			if seg < 2 {
				return false
			}
			seg = 0
		}
		seg++
	}
	return seg >= 2 || len(r) <= 3
}
