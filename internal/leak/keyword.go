package leak

import "bytes"

// The keyword detector: a value after password, passwd, passphrase,
// passcode, pwd, secret, token, api key (api_key, apikey, api-key) or pin,
// matched case-insensitively as a word or a part of a key (db_password,
// DB_PASSWORD, ldapBindPassword), then ':', '=', "is" or a space, then
// the value.

type family uint8

const (
	famPassword family = iota
	famSecret
	famToken
	famAPIKey
	famPIN
)

var familyKind = [...]string{
	famPassword: "a password after a keyword",
	famSecret:   "a secret after a keyword",
	famToken:    "a token after a keyword",
	famAPIKey:   "an API key after a keyword",
	famPIN:      "a PIN after a keyword",
}

// valueTrail: punctuation that ends a sentence or closes a quote after an
// unquoted value, not part of it.
var valueTrail = newCharset(".,;)\"'")

const kindConnString = "a password in a connection string"

var keywords = []struct {
	word string
	fam  family
}{
	{"password", famPassword},
	{"passwd", famPassword},
	{"passphrase", famPassword},
	{"passcode", famPassword},
	{"pwd", famPassword},
	{"secret", famSecret},
	{"token", famToken},
	{"apikey", famAPIKey},
	{"api_key", famAPIKey},
	{"api-key", famAPIKey},
	{"api key", famAPIKey},
	{"pin", famPIN},
}

// kwFirst marks the bytes a keyword starts with, for the first pass.
var kwFirst = newCharset("pPsStTaA")

// kwCandidate reports whether a keyword may start at ln[i]: its first
// three letters fit (pas, pwd, pin, sec, tok, api), which rules out
// "payments", "service" and "the" before keywordAt runs. The boundary
// before i is the caller's to check.
func kwCandidate(ln []byte, i int) bool {
	if i+2 >= len(ln) {
		return false
	}
	c1, c2 := lower(ln[i+1]), lower(ln[i+2])
	switch lower(ln[i]) {
	case 'p':
		return c1 == 'a' && c2 == 's' || c1 == 'w' && c2 == 'd' || c1 == 'i' && c2 == 'n'
	case 's':
		return c1 == 'e' && c2 == 'c'
	case 't':
		return c1 == 'o' && c2 == 'k'
	case 'a':
		return c1 == 'p' && c2 == 'i'
	}
	return false
}

// keywordBoundaryBefore reports whether a keyword starting with c may
// follow prev: after a non-letter, or at a camelCase hump (dbPassword).
func keywordBoundaryBefore(prev, c byte) bool {
	return !isLetter(prev) || isLower(prev) && isUpper(c)
}

// metadataSuffix: a key that continues a keyword with one of these words
// names metadata about the secret, not the secret (password_rotation_days,
// secret_name, token_url, secretKeyRef, api_key_id). "id" is metadata
// except after "secret": a Vault AppRole secret_id is a secret.
var metadataSuffix = []string{
	"id", "ids", "name", "names", "ref", "refs", "reference", "path", "paths", "url", "urls",
	"uri", "arn", "file", "filename", "version", "days", "hours", "minutes", "seconds",
	"ttl", "age", "length", "len", "policy", "rotation", "rotated", "expiry", "expires",
	"expiration", "date", "at", "on", "changed", "created", "updated", "type", "hint",
	"owner", "location", "source", "provider", "field", "label", "labels", "endpoint",
	"scope", "scopes", "count", "format", "manager", "store", "vault", "engine", "mount",
	"env", "var", "kind", "prefix", "issuer", "audience", "header", "description", "note",
	"notes", "status", "state", "period", "interval", "schedule", "service", "system",
	"team", "user", "username", "login", "enabled", "required", "reset", "policy",
}

// keyword examines a keyword candidate at ln[i].
func (s *scanner) keyword(lineNo int, ln []byte, i int) {
	for _, u := range s.urls {
		if i >= u.start && i < u.end {
			return // the URL detector owns text inside URLs
		}
	}
	fam, j, ok := keywordAt(ln, i)
	if !ok {
		return
	}
	// The rest of the key: db_password_hash, tokenValue, api_key.prod.
	k := j
	for k < len(ln) && (isLetter(ln[k]) || isDigit(ln[k]) || ln[k] == '_' || ln[k] == '-' ||
		ln[k] == '.' && k+1 < len(ln) && (isLetter(ln[k+1]) || isDigit(ln[k+1]))) {
		k++
	}
	if k > j && isMetadataSuffix(ln[j:k], fam) {
		return
	}
	// Where the key starts, to tell a key from a segment of an ARN or path
	// (arn:aws:secretsmanager:...:secret:prod/db).
	ks := i
	for ks > 0 && (isLetter(ln[ks-1]) || isDigit(ln[ks-1]) || ln[ks-1] == '_' || ln[ks-1] == '-' || ln[ks-1] == '.') {
		ks--
	}
	embedded := ks > 0 && (ln[ks-1] == ':' || ln[ks-1] == '/')

	// The separator.
	if k < len(ln) && (ln[k] == '"' || ln[k] == '\'') {
		k++
	}
	sp := k
	for k < len(ln) && isSpace(ln[k]) {
		k++
	}
	spaced := k > sp
	if k >= len(ln) {
		return
	}
	eq, prose := false, false
	switch c := ln[k]; {
	case c == ':':
		k++
		if k < len(ln) && ln[k] == '=' {
			k++
		}
		if k < len(ln) && (ln[k] == ':' || ln[k] == '/') {
			return // ::, ://
		}
		if embedded && (k == len(ln) || !isSpace(ln[k])) {
			return
		}
	case c == '=':
		k++
		if k < len(ln) && ln[k] == '>' {
			k++
		} else if k < len(ln) && ln[k] == '=' {
			return // a comparison
		}
		eq = true
	case spaced:
		if (c == '"' || c == '\'') && ks > 0 && ln[ks-1] == c {
			return // the keyword is a quoted word of its own ("secret "), and c closes it
		}
		prose = true
		for _, w := range []string{"is ", "was ", "are "} {
			if len(ln)-k > len(w) && equalFold(ln[k:k+len(w)], w) {
				k += len(w)
				prose = false
				break
			}
		}
	default:
		return
	}
	for k < len(ln) && isSpace(ln[k]) {
		k++
	}
	if k >= len(ln) {
		return
	}

	// The value: quoted, or up to white space (and ';' after '=').
	vs, ve := k, k
	quoted := false
	if q := ln[k]; q == '"' || q == '\'' {
		vs = k + 1
		ve = bytes.IndexByte(ln[vs:], q)
		if ve < 0 {
			ve = len(ln)
		} else {
			ve += vs
		}
		quoted = true
	} else {
		for ve < len(ln) && !isSpace(ln[ve]) && !(eq && ln[ve] == ';') {
			ve++
		}
	}
	connString := eq && fam == famPassword && (ve < len(ln) && ln[ve] == ';' || afterPair(ln[:i]))
	if !quoted {
		// In a YAML flow collection ({secret: db-admin}), a '}' or ']' that
		// closes one opened before the key ends the value.
		open := flowDepth(ln[:ks])
		for ve > vs {
			if c := ln[ve-1]; valueTrail[c] {
				ve--
			} else if (c == '}' || c == ']') && open > 0 {
				open--
				ve--
			} else {
				break
			}
		}
	}
	v := ln[vs:ve]
	if connString {
		if !isPlaceholder(v) {
			s.add(lineNo, ln, vs, ve, kindConnString)
		}
		return
	}
	if prose && (allDigits(v) || isNameLike(v)) {
		return
	}
	if looksSecret(v, fam) {
		s.add(lineNo, ln, vs, ve, familyKind[fam])
	}
}

// flowDepth counts the flow collections ('{', '[') that ln opens and does
// not close, outside quotes: how many closing brackets after it end a
// value rather than belong to it.
func flowDepth(ln []byte) int {
	depth := 0
	var quote byte
	for _, c := range ln {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{' || c == '[':
			depth++
		case (c == '}' || c == ']') && depth > 0:
			depth--
		}
	}
	return depth
}

// keywordAt matches a keyword at ln[i] and returns its family and end.
func keywordAt(ln []byte, i int) (family, int, bool) {
	for _, kw := range keywords {
		j := i + len(kw.word)
		if j > len(ln) {
			continue
		}
		match := true
		for n := 0; n < len(kw.word); n++ {
			c := lower(ln[i+n])
			if w := kw.word[n]; c != w && !(w == ' ' && (c == '_' || c == '-')) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		// The end must be a boundary too: not "passwords", "tokens",
		// "secretsmanager", "pinned"; "PasswordHash" is (a camel hump), but
		// "PASSWORDS" is not.
		if j < len(ln) {
			next := ln[j]
			if isLower(next) || isUpper(next) && isUpper(ln[j-1]) {
				continue
			}
		}
		return kw.fam, j, true
	}
	return 0, 0, false
}

// isMetadataSuffix reports whether a key's continuation after the keyword
// ends in a metadataSuffix word (its last part, split at _ - . and humps).
func isMetadataSuffix(rest []byte, fam family) bool {
	e := len(rest)
	b := e - 1
	for b > 0 && !(rest[b-1] == '_' || rest[b-1] == '-' || rest[b-1] == '.' ||
		isUpper(rest[b]) && isLower(rest[b-1]) || isUpper(rest[b]) && !isUpper(rest[b-1])) {
		b--
	}
	last := rest[b:e]
	if len(last) > 0 && (last[0] == '_' || last[0] == '-' || last[0] == '.') {
		last = last[1:]
	}
	if fam == famSecret && equalFold(last, "id") && b <= 1 {
		return false // secret_id, secretId
	}
	for _, w := range metadataSuffix {
		if equalFold(last, w) {
			return true
		}
	}
	return false
}

// looksSecret decides whether v, the value after a keyword of family fam,
// is secret material. It is not when it is a placeholder, too short, a
// URL (its credentials are the URL detector's), an ARN, an email, a date,
// or a name (isIdentifier): that is what keeps `name: Payments DB admin
// password`, `description: rotate the password via the vault UI`,
// `token: see 1Password item "Stripe"` and `pin: 2026-01-01` quiet.
// Digits alone are a secret after a PIN or password keyword (a PIN, a
// numeric password), not after the others (a count, an id). A UUID is a
// secret after any keyword: Heroku API keys and Vault secret ids are UUIDs.
func looksSecret(v []byte, fam family) bool {
	if isPlaceholder(v) {
		return false
	}
	if allDigits(v) {
		switch fam {
		case famPIN:
			return len(v) >= 4 && len(v) <= 12
		case famPassword:
			return len(v) >= 6
		}
		return false
	}
	if len(v) < 6 || bytes.Contains(v, []byte("://")) || bytes.HasPrefix(v, []byte("arn:")) ||
		isEmail(v) || isDateTime(v) {
		return false
	}
	if isUUID(v) {
		return true
	}
	return !isIdentifier(v, fam != famPassword && fam != famPIN)
}

// isNameLike reports whether most parts of v, split at - _ . /, are
// words of letters: payments-db-credentials-k7b2t9hf4m, a Kubernetes name
// with a generated suffix. It guards the weakest separator, a plain space
// ("kubectl get secret payments-db-credentials-k7b2t9hf4m"), where the
// word after the keyword is more often a name than a value.
func isNameLike(v []byte) bool {
	words, parts := 0, 0
	start := 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) && v[i] != '-' && v[i] != '_' && v[i] != '.' && v[i] != '/' {
			continue
		}
		p := v[start:i]
		start = i + 1
		if len(p) == 0 {
			continue
		}
		parts++
		letters := true
		for _, c := range p {
			if !isLetter(c) {
				letters = false
				break
			}
		}
		if letters {
			words++
		}
	}
	return parts >= 2 && words*2 > parts
}

// afterPair reports whether the text before a keyword, ln, ends a
// name=value pair with ';' (Server=db;User ID=app;), as in a connection
// string, and not a clause of prose (migrated; password=...).
func afterPair(ln []byte) bool {
	semi := bytes.LastIndexByte(ln, ';')
	if semi < 0 {
		return false
	}
	prev := bytes.LastIndexByte(ln[:semi], ';')
	return bytes.IndexByte(ln[prev+1:semi], '=') >= 0
}
