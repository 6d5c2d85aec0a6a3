package leak

import "bytes"

// The URL detector: credentials in a URL of any scheme, as user:password
// before the host, or as a parameter with a secret's name: of the query or
// the fragment, or after a ';' (jdbc:sqlserver://db:1433;password=...).
// It reads only those places: path segments and other parameters (a
// Google Docs id, a Grafana dashboard uid, a commit SHA, Confluence's
// Rotate+the+Payments+DB+Password) are not secrets. Oracle's
// user/password@//host form has no "://" and is read by oracle.

const (
	kindURLPassword = "a password in a URL"
	kindURLToken    = "a token in a URL"
	kindURLSig      = "a signature in a URL"
)

var urlParams = []struct {
	name, kind string
	strict     bool // the value must also look like a secret (a generic name)
}{
	{"password", kindURLPassword, false},
	{"passwd", kindURLPassword, false},
	{"pwd", kindURLPassword, false},
	{"pass", kindURLPassword, false},
	{"sig", kindURLSig, false},
	{"signature", kindURLSig, false},
	{"x-amz-signature", kindURLSig, false},
	{"x-goog-signature", kindURLSig, false},
	{"token", kindURLToken, false},
	{"access_token", kindURLToken, false},
	{"refresh_token", kindURLToken, false},
	{"id_token", kindURLToken, false},
	{"auth_token", kindURLToken, false},
	{"private_token", kindURLToken, false},
	{"api_token", kindURLToken, false},
	{"x-amz-security-token", kindURLToken, false},
	{"secret", kindURLToken, false},
	{"client_secret", kindURLToken, false},
	{"api_key", kindURLToken, false},
	{"apikey", kindURLToken, false},
	{"api-key", kindURLToken, false},
	{"access_key", kindURLToken, false},
	{"secret_key", kindURLToken, false},
	{"key", kindURLToken, true},
}

var (
	schemeByte = newCharset("A-Za-z0-9+.-")
	urlEnd     = newCharset("\"'<>`")
	urlTrail   = newCharset(".,;)]}")
)

// urlsIn finds the URLs in the word ln[a:b], records their spans and
// reports the credentials in them.
func (s *scanner) urlsIn(lineNo int, ln []byte, a, b int) {
	for from := a; from < b; {
		k := bytes.Index(ln[from:b], []byte("://"))
		if k < 0 {
			return
		}
		k += from
		from = k + 3
		st := k
		for st > a && schemeByte[ln[st-1]] {
			st--
		}
		for st < k && !isLetter(ln[st]) {
			st++
		}
		if st == k {
			continue // no scheme
		}
		e := k + 3
		for e < b && !urlEnd[ln[e]] {
			e++
		}
		for e > k+3 && urlTrail[ln[e-1]] {
			e--
		}
		s.urls = append(s.urls, span{start: st, end: e})
		from = e

		// user:password@host, and then parameters after ';', '?' or '#'.
		h := k + 3
		if at, ok := userinfo(ln, k+3, e); ok {
			s.add(lineNo, ln, at.start, at.end, kindURLPassword)
			h = at.end + 1
		} else if at.end > 0 {
			h = at.end + 1 // a user with a placeholder password
		}
		q := h
		for q < e && ln[q] != ';' && ln[q] != '?' && ln[q] != '#' {
			q++
		}
		if q < e {
			s.urlParams(lineNo, ln, q+1, e, ln[q] == ';')
		}
	}
}

// userinfo finds the password of user:password@host in the URL whose
// authority starts at ln[h0] and which ends at e. People paste passwords
// with their reserved characters unencoded (Xy7#kLm, p@ss/w0rd, Ru8?x),
// so the password runs to the last '@' that a host follows, not to the
// first '/', '?', '#' or '@'. The user part is what comes before the
// first ':' (an email address is a user too) and holds no '/', '?' or '#'.
// No password is read when what follows the ':' is a port and a path
// (host:8443/users/alice@example.com), or runs into another URL. pw.end
// is the '@' when a user and password were read (ok is false when the
// password is a placeholder); pw is zero when there is no userinfo.
func userinfo(ln []byte, h0, e int) (pw span, ok bool) {
	c := h0
	for c < e && ln[c] != ':' && ln[c] != '/' && ln[c] != '?' && ln[c] != '#' {
		c++
	}
	if c == e || ln[c] != ':' {
		return span{}, false
	}
	lim := e
	if n := bytes.Index(ln[c+1:e], []byte("://")); n >= 0 {
		lim = c + 1 + n
	}
	at := -1
	for j := lim - 1; j > c; j-- {
		if ln[j] == '@' && hostAt(ln, j+1, e) {
			at = j
			break
		}
	}
	if at < 0 || isPortAndPath(ln[c+1:at]) {
		return span{}, false
	}
	return span{start: c + 1, end: at}, !isPlaceholder(ln[c+1 : at])
}

// hostByte: what a host name or address is made of.
var hostByte = newCharset("A-Za-z0-9._~%-")

// hostAt reports whether a host starts at ln[i] in a URL that ends at e:
// a name or address (or [IPv6]), then the URL's end or ':', '/', '?',
// '#', ';' or ',' (the next host of a list).
func hostAt(ln []byte, i, e int) bool {
	j := i
	if j < e && ln[j] == '[' {
		for j < e && ln[j] != ']' {
			j++
		}
		j++
	} else {
		for j < e && hostByte[ln[j]] {
			j++
		}
	}
	if j == i || j > e {
		return false
	}
	return j == e || bytes.IndexByte([]byte(":/?#;,"), ln[j]) >= 0
}

// isPortAndPath reports whether v, what follows "host:" up to an '@',
// is a port and the start of a path or query (8443/users/alice), not a
// password.
func isPortAndPath(v []byte) bool {
	n := 0
	for n < len(v) && isDigit(v[n]) {
		n++
	}
	return n >= 1 && n <= 5 && n < len(v) && (v[n] == '/' || v[n] == '?' || v[n] == '#' || v[n] == ';')
}

// urlParams reads the name=value parameters in ln[a:e]: of a query or
// fragment, separated by '&' or ';', or (jdbc) the parameters after the
// first ';', separated by ';' alone, whose values may hold '#', '?' and
// '&' as they are.
func (s *scanner) urlParams(lineNo int, ln []byte, a, e int, jdbc bool) {
	for p := a; p < e; {
		end := p
		for end < e && ln[end] != ';' && (jdbc || ln[end] != '&' && ln[end] != '#' && ln[end] != '?') {
			end++
		}
		if eq := bytes.IndexByte(ln[p:end], '='); eq > 0 {
			name, v := ln[p:p+eq], ln[p+eq+1:end]
			for _, up := range urlParams {
				if !equalFold(name, up.name) {
					continue
				}
				if len(v) > 0 && !isPlaceholder(v) && (!up.strict || len(v) >= 16 && looksSecret(v, famToken)) {
					s.add(lineNo, ln, p+eq+1, end, up.kind)
				}
				break
			}
		}
		p = end + 1
	}
}

// oracleUser: the bytes of an Oracle user name.
var oracleUser = newCharset("A-Za-z0-9_$#.-")

// oracle finds the password of Oracle's user/password@//host form
// (sqlplus scott/tiger@//db:1521/ORCL, jdbc:oracle:thin:app/pw@//db/svc)
// in the word ln[a:b]. The user/password pair starts after a blank, ':',
// '=' or a quote; the password runs from the first '/' to the '@' and may
// hold '/' itself.
func (s *scanner) oracle(lineNo int, ln []byte, a, b int) {
	for from := a; from < b; {
		k := bytes.Index(ln[from:b], []byte("@//"))
		if k < 0 {
			return
		}
		k += from
		from = k + 3
		t := k
		for t > a && ln[t-1] != ':' && ln[t-1] != '=' && ln[t-1] != '"' && ln[t-1] != '\'' {
			t--
		}
		slash := bytes.IndexByte(ln[t:k], '/')
		if slash <= 0 {
			continue
		}
		slash += t
		user, pw := ln[t:slash], ln[slash+1:k]
		ok := len(pw) > 0 && !isPlaceholder(pw)
		for _, c := range user {
			ok = ok && oracleUser[c]
		}
		if ok {
			s.add(lineNo, ln, slash+1, k, kindConnString)
		}
	}
}
