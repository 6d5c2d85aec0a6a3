package leak

import "bytes"

// Value classifiers shared by the keyword, URL and entropy detectors. Each
// one is a false-positive guard: it names a shape of ordinary register
// metadata that sits where a secret could, and says why it is not one.

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isLetter(c byte) bool { return isLower(c) || isUpper(c) }
func isSpace(c byte) bool  { return c == ' ' || c == '\t' }

func lower(c byte) byte {
	if isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold reports whether b equals the lower-case ASCII word w, ignoring case.
func equalFold(b []byte, w string) bool {
	if len(b) != len(w) {
		return false
	}
	for i := range b {
		if lower(b[i]) != w[i] {
			return false
		}
	}
	return true
}

// secretSymbol: punctuation that ordinary identifiers, paths, URLs and
// prose do not use inside a word, and generated passwords do.
var secretSymbol = newCharset(`!#$^*~|\&`)

// placeholders are values that stand for a secret without being one.
// `changeme` is among them: it is the documented default of countless
// products, so a register line naming it documents the default rather
// than leaking a secret, and flagging it would flag templates.
var placeholders = []string{
	"changeme", "change-me", "change_me", "password", "passwd", "pass", "pwd", "secret",
	"token", "redacted", "placeholder", "example", "none", "null", "nil", "empty",
	"tbd", "todo", "unset", "hidden", "masked", "your-password", "yourpassword",
	"your_password", "mypassword", "your-token", "your_token", "your-api-key",
	"your_api_key", "apikey", "api_key", "secretkey", "secret_key", "user", "username",
}

// isPlaceholder reports whether v stands for a secret instead of being
// one: <set in vault>, ${DB_PASSWORD}, $DB_PASSWORD, {{ .Values.pw }},
// %DB_PASSWORD%, [redacted], (see vault), ****, xxxx-xxxx, ghp_…a1b2,
// an elided value (abc...xyz), one character repeated, or a word from
// placeholders.
func isPlaceholder(v []byte) bool {
	if len(v) == 0 {
		return true
	}
	switch v[0] {
	case '<', '[', '(', '{':
		return true
	case '$':
		if len(v) > 1 && (v[1] == '{' || v[1] == '(') {
			return true
		}
		if len(v) > 1 && isVarName(v[1:]) {
			return true
		}
	case '%':
		if len(v) > 2 && v[len(v)-1] == '%' && isVarName(v[1:len(v)-1]) {
			return true
		}
	}
	mask, same := true, true
	for i, c := range v {
		switch c {
		case '*', 'x', 'X', '#', '?', '-', '_':
		case '.':
			if i+2 < len(v) && v[i+1] == '.' && v[i+2] == '.' {
				return true // elided: abc...xyz
			}
		case 0xE2:
			if i+2 < len(v) && v[i+1] == 0x80 && (v[i+2] == 0xA6 || v[i+2] == 0xA2) {
				return true // … or •
			}
			mask = false
		default:
			mask = false
		}
		if c != v[0] {
			same = false
		}
	}
	if mask || same && len(v) > 2 {
		return true
	}
	for _, p := range placeholders {
		if equalFold(v, p) {
			return true
		}
	}
	return false
}

func isVarName(v []byte) bool {
	if len(v) == 0 || isDigit(v[0]) {
		return false
	}
	for _, c := range v {
		if !isLetter(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

var emailLocal = newCharset("._%+-")

// isEmail: local@domain.tld, an owner or a service account
// (deploy-bot@my-project-123456.iam.gserviceaccount.com).
func isEmail(v []byte) bool {
	at := bytes.LastIndexByte(v, '@')
	if at <= 0 || at == len(v)-1 {
		return false
	}
	for _, c := range v[:at] {
		if !isLetter(c) && !isDigit(c) && !emailLocal[c] {
			return false
		}
	}
	dom := v[at+1:]
	dot := bytes.LastIndexByte(dom, '.')
	if dot <= 0 || len(dom)-dot-1 < 2 {
		return false
	}
	for _, c := range dom {
		if !isLetter(c) && !isDigit(c) && c != '.' && c != '-' {
			return false
		}
	}
	for _, c := range dom[dot+1:] {
		if !isLetter(c) {
			return false
		}
	}
	return true
}

// isDateTime: 2026-01-01, 2026/01/01, 2026-01-01T03:00:00Z, 03:00. Dates
// are the register's most common value (last_changed, until).
func isDateTime(v []byte) bool {
	if len(v) >= 10 && isDigit(v[0]) && isDigit(v[1]) && isDigit(v[2]) && isDigit(v[3]) &&
		(v[4] == '-' || v[4] == '/') && isDigit(v[5]) && isDigit(v[6]) {
		return true
	}
	return len(v) >= 5 && isDigit(v[0]) && isDigit(v[1]) && v[2] == ':' && isDigit(v[3]) && isDigit(v[4])
}

// isUUID: 8-4-4-4-12 hex digits.
func isUUID(v []byte) bool {
	if len(v) != 36 {
		return false
	}
	for i, c := range v {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !csHex[c] {
			return false
		}
	}
	return true
}

func allDigits(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// identifierDelim separates the parts of an identifier, a path, an ARN,
// an email or a version: payments-db_admin.v2, secret/data/payments/db,
// arn:aws:iam::123456789012:role/deploy, SEC-1234, 1.27.3.
var identifierDelim = newCharset(`-_.:/,+=%?'"`)

// isIdentifier reports whether v reads as a name rather than a secret:
// parts joined by identifierDelim, each of them letters only, digits
// only, digits then letters (2fa, 1Password, 30d), or at most three
// characters (v2, ec2, k8s, db). With looseDigits (for secret, token and
// API key, which often introduce a name), letters then one or two digits
// (oauth2, postgres15) pass too; for passwords and PINs they do not
// (hunter2, Winter2024). Any secretSymbol or '@' (emails are told apart
// before) makes v not an identifier, except '#' before a field name at
// the end of a path (vault:kv/db#password).
func isIdentifier(v []byte, looseDigits bool) bool {
	hasSlash := bytes.IndexByte(v, '/') >= 0
	start := 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) {
			c := v[i]
			if identifierDelim[c] || c == '#' && hasSlash {
				// delimiter
			} else if secretSymbol[c] || c == '@' {
				return false
			} else {
				continue
			}
		}
		if !identifierPart(v[start:i], looseDigits) {
			return false
		}
		start = i + 1
	}
	return true
}

func identifierPart(p []byte, looseDigits bool) bool {
	if len(p) <= 3 {
		return true
	}
	// Runs: letters and digits, in order.
	i := 0
	for i < len(p) && isDigit(p[i]) {
		i++
	}
	for i < len(p) && isLetter(p[i]) {
		i++
	}
	if i == len(p) {
		return true // letters, digits, or digits then letters
	}
	if !looseDigits {
		return false
	}
	j := i
	for j < len(p) && isDigit(p[j]) {
		j++
	}
	return j == len(p) && j-i <= 2 && i > 0 && isLetter(p[i-1])
}
