package leak

import "bytes"

// The URL detector: credentials in a URL of any scheme, as user:password
// before the host, or as a query or fragment parameter with a secret's
// name. It reads only those two places: path segments and other
// parameters (a Google Docs id, a Grafana dashboard uid, a commit SHA,
// Confluence's Rotate+the+Payments+DB+Password) are not secrets.

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

		// user:password@host
		h0 := k + 3
		h1 := h0
		for h1 < e && ln[h1] != '/' && ln[h1] != '?' && ln[h1] != '#' {
			h1++
		}
		if at := bytes.LastIndexByte(ln[h0:h1], '@'); at >= 0 {
			at += h0
			if c := bytes.IndexByte(ln[h0:at], ':'); c >= 0 {
				pw := ln[h0+c+1 : at]
				if !isPlaceholder(pw) {
					s.add(lineNo, ln, h0+c+1, at, kindURLPassword)
				}
			}
		}
		// ?name=value&... and #name=value&...
		q := h1
		for q < e && ln[q] != '?' && ln[q] != '#' {
			q++
		}
		if q < e {
			s.urlParams(lineNo, ln, q+1, e)
		}
	}
}

func (s *scanner) urlParams(lineNo int, ln []byte, a, e int) {
	for p := a; p < e; {
		end := p
		for end < e && ln[end] != '&' && ln[end] != ';' && ln[end] != '#' && ln[end] != '?' {
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
