package leak

import (
	"bytes"
	"regexp"
	"unicode/utf8"
)

// Match is one piece of secret material in a text.
type Match struct {
	// Line and Column are 1-based; Column counts runes from the start of
	// the line, as yaml.v3 and editors do.
	Line, Column int
	// Kind says what the secret looks like, as a noun phrase that reads
	// after "looks like": "a GitHub token", "a password after a keyword",
	// "a password in a URL", "a high-entropy string".
	Kind string
	// Secret is the matched secret text itself, a substring of its line.
	// It is there only so that callers can redact it from anything they
	// print; this package never prints it.
	Secret string
	// Offset is the byte offset of Secret in the scanned text.
	Offset int
	// Continued: the match goes on from the previous line's last match,
	// across a line that ends in a backslash (see Scan); callers report
	// the two as one.
	Continued bool
	// Allowed: the line carries a `# rotor:allow-leak <reason>` comment.
	Allowed bool
}

// Allowance is one `# rotor:allow-leak <reason>` comment.
type Allowance struct {
	// Line is the 1-based line of the comment.
	Line int
	// Reason is the text after the marker, trimmed. An empty Reason is
	// malformed: callers must report it as an error (a reviewed false
	// positive needs a reason a later reader can check), though the
	// line's matches are still marked Allowed.
	Reason string
	// Used: at least one match on the line was allowed by it. An unused
	// allowance is stale and callers should say so.
	Used bool
}

// Result is what Scan found.
type Result struct {
	// Matches in order of line, then column. Overlapping findings are
	// reported once, by the most specific detector.
	Matches []Match
	// Allowances in order of line.
	Allowances []Allowance
}

// AllowMarker is the comment marker of an allowance:
//
//	value: AKIAIOSFODNN7EXAMPLE # rotor:allow-leak AWS's documented example key
const AllowMarker = "rotor:allow-leak"

// Scan reports the secret material in data, which it reads as raw bytes
// line by line: values, keys, comments and anything after a document end
// marker alike. It never fails; invalid UTF-8 is scanned as bytes.
//
// A line that ends in an odd number of backslashes goes on on the next
// line, as in a YAML double-quoted scalar, a shell command or a .env
// file: the backslash is dropped, and the run of lines is also read as
// one line, without the next lines' leading blanks. A secret split there
// is reported as one match per line, each with the part on its line (the
// later ones Continued). An allowance on any line of the run allows the
// whole run: a comment can only follow the last line of a quoted scalar.
func Scan(data []byte) Result {
	var s scanner
	s.spans, s.urls = s.spanBuf[:0], s.urlBuf[:0]
	var p notes
	p.reset(0)
	p.keyword(data, 0)
	lineNo := 1
	// The first pass: one table lookup for every byte, in one loop over the
	// whole text (no call per line). A lower-case letter, most of the text,
	// is class 0 and costs nothing more. The pass notes what the detectors
	// need: long words (only they can hold a token or a random string),
	// whether they hold a "://", keyword candidates (a keyword can start
	// only after a non-letter or at a camelCase hump, so only those bytes
	// look ahead), and a "-----".
	for i := 0; i < len(data); i++ {
		switch byteClass[data[i]] {
		case 0:
			continue
		case clsNewline:
			p.word(i)
			end := i
			if end > p.start && data[end-1] == '\r' {
				end--
			}
			cont := continued(data[p.start:end])
			if cont {
				end--
			}
			s.line(lineNo, data[p.start:end], &p)
			if cont || len(s.run) > 0 {
				s.continuation(data, lineNo, p.start, end, cont)
			}
			lineNo++
			p.reset(i + 1)
			if i+1 < len(data) && kwFirst[data[i+1]] {
				p.keyword(data, i+1)
			}
		case clsBlank:
			p.word(i)
			p.last = i
			if i+1 < len(data) && kwFirst[data[i+1]] {
				p.keyword(data, i+1)
			}
		case clsDelim:
			switch data[i] {
			case '-':
				if i+4 < len(data) && data[i+1] == '-' && data[i+4] == '-' {
					p.dashes = true
				}
			case ':':
				if i+2 < len(data) && data[i+1] == '/' && data[i+2] == '/' {
					p.url = true
				}
			case '@':
				if i+2 < len(data) && data[i+1] == '/' && data[i+2] == '/' {
					p.oracle = true
				}
			case '#':
				if p.hash < 0 {
					p.hash = i
				}
			}
			if i+1 < len(data) && kwFirst[data[i+1]] {
				p.keyword(data, i+1)
			}
		case clsUpper:
			if i > p.start && isLower(data[i-1]) && kwFirst[data[i]] {
				p.keyword(data, i)
			}
		}
	}
	if p.start < len(data) {
		p.word(len(data))
		s.line(lineNo, data[p.start:], &p)
		if len(s.run) > 0 {
			s.continuation(data, lineNo, p.start, len(data), false)
		}
	} else if len(s.run) > 0 {
		s.joinRun(data)
	}
	return s.res
}

// continued reports whether ln ends in an odd number of backslashes: an
// escaped line break.
func continued(ln []byte) bool {
	n := 0
	for n < len(ln) && ln[len(ln)-1-n] == '\\' {
		n++
	}
	return n%2 == 1
}

// notes is what the first pass found on one line. Offsets are into the
// whole text until line converts them.
type notes struct {
	start  int // where the line starts
	last   int // the last blank, or start-1
	hash   int // the first '#', or -1
	url    bool
	oracle bool // the word being read holds "@//"
	dashes bool
	nw     int // long words seen (may exceed len(words))
	words  [maxLongWords]span
	nkw    int // keyword candidates seen (may exceed len(kw))
	kw     [maxKeywordHits]int
}

func (p *notes) reset(start int) {
	p.start, p.last, p.hash = start, start-1, -1
	p.url, p.oracle, p.dashes = false, false, false
	p.nw, p.nkw = 0, 0
}

// word ends the word before i, noting it if it is long.
func (p *notes) word(i int) {
	if i-p.last-1 >= minWordLen {
		if p.nw < maxLongWords {
			p.words[p.nw] = span{start: p.last + 1, end: i, url: p.url, oracle: p.oracle}
		}
		p.nw++
	}
	p.url, p.oracle = false, false
}

func (p *notes) keyword(data []byte, i int) {
	if kwCandidate(data, i) {
		if p.nkw < maxKeywordHits {
			p.kw[p.nkw] = i
		}
		p.nkw++
	}
}

type span struct {
	start, end int
	url        bool // a long word that holds a "://"
	oracle     bool // a long word that holds a "@//"
}

type scanner struct {
	res      Result
	inKey    bool // inside a private key block
	inPublic bool // inside a certificate or public key block
	// per line, reused:
	spans []span // byte spans of this line's matches
	urls  []span // byte spans of this line's URLs
	words []span // long words of a line with more than maxLongWords
	first int    // index in res.Matches of this line's first match
	// backing arrays, so that a line with a URL or a match or two does not
	// allocate
	spanBuf, urlBuf [8]span
	lineOff         int // where the line being scanned starts in the text

	// Continued lines (see Scan): the run being read.
	run []runLine
}

// maxKeywordHits bounds the keyword candidates noted per line in the
// first pass; a line with more is scanned again in full.
const maxKeywordHits = 8

// line scans one line, ln, whose first pass notes are p.
func (s *scanner) line(lineNo int, ln []byte, p *notes) {
	off := p.start
	s.lineOff = off
	if len(ln) > 0 && ln[len(ln)-1] == '\r' {
		ln = ln[:len(ln)-1]
	}
	s.spans = s.spans[:0]
	s.urls = s.urls[:0]
	s.first = len(s.res.Matches)

	// An allowance comment: record it, and cut it off so its reason is
	// never read as a secret. Only a line with a '#' can have one.
	allowed := false
	for from := p.hash - off; from >= 0 && from < len(ln); {
		at := bytes.Index(ln[from:], []byte(AllowMarker))
		if at < 0 {
			break
		}
		at += from
		from = at + len(AllowMarker)
		hash := at
		for hash > 0 && (ln[hash-1] == ' ' || ln[hash-1] == '\t') {
			hash--
		}
		if hash == 0 || ln[hash-1] != '#' || (from < len(ln) && ln[from] != ' ' && ln[from] != '\t') {
			continue // not a comment, or a longer word such as rotor:allow-leaks
		}
		s.res.Allowances = append(s.res.Allowances, Allowance{Line: lineNo, Reason: string(bytes.TrimSpace(ln[from:]))})
		allowed = true
		ln = ln[:hash-1]
		break
	}

	if s.inPublic && !s.publicBody(ln) {
		s.inPublic = false
	}
	if s.inKey {
		s.keyBody(lineNo, ln)
	}
	if !s.inKey && !s.inPublic && (p.nw > 0 || p.nkw > 0 || p.dashes) {
		s.detect(lineNo, ln, p)
	}

	if len(s.res.Matches) > s.first {
		sortLine(s.res.Matches[s.first:], s.spans)
		if allowed {
			for i := s.first; i < len(s.res.Matches); i++ {
				s.res.Matches[i].Allowed = true
			}
			s.res.Allowances[len(s.res.Allowances)-1].Used = true
		}
	}
}

// detect runs the detectors over one line, most specific first: known
// token shapes, then credentials in URLs, then values after keywords,
// then entropy. A later detector's finding that overlaps an earlier one
// is dropped.
func (s *scanner) detect(lineNo int, ln []byte, p *notes) {
	off := p.start
	// The notes' offsets, made relative to the line and cut where the line
	// was cut (a \r, an allowance).
	var long []span
	if p.nw > maxLongWords {
		long = s.longWords(ln)
	} else {
		long = p.words[:0]
		for _, w := range p.words[:p.nw] {
			w.start -= off
			w.end = min(w.end-off, len(ln))
			if w.end-w.start >= minWordLen {
				long = append(long, w)
			}
		}
	}
	for _, w := range long {
		if w.end-w.start >= minTokenLen {
			s.tokens(lineNo, ln, w.start, w.end)
		}
		if w.url {
			s.urlsIn(lineNo, ln, w.start, w.end)
		}
		if w.oracle {
			s.oracle(lineNo, ln, w.start, w.end)
		}
	}
	if p.dashes {
		s.privateKey(lineNo, ln)
	}
	if p.nkw > maxKeywordHits {
		for i := 0; i < len(ln); i++ {
			if (i == 0 || keywordBoundaryBefore(ln[i-1], ln[i])) && kwCandidate(ln, i) {
				s.keyword(lineNo, ln, i)
			}
		}
	} else {
		for _, i := range p.kw[:p.nkw] {
			if i -= off; i < len(ln) {
				s.keyword(lineNo, ln, i)
			}
		}
	}
	for _, w := range long {
		if !w.url && w.end-w.start >= minEntropyWord {
			s.entropy(lineNo, ln, w.start, w.end)
		}
	}
}

// Byte classes for the first pass.
const (
	clsNewline = 1 + iota
	clsBlank   // space, tab
	clsDelim   // anything but a letter: a keyword may follow
	clsUpper   // an upper-case letter: a camelCase hump may start a keyword
)

var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c == '\n':
			t[c] = clsNewline
		case c == ' ' || c == '\t':
			t[c] = clsBlank
		case isUpper(byte(c)):
			t[c] = clsUpper
		case !isLower(byte(c)):
			t[c] = clsDelim
		}
	}
	return t
}()

// minWordLen is the shortest word the second pass looks at: no token
// rule matches less, and shorter words are most of a register's text.
const minWordLen = 12

// maxLongWords bounds the long words noted per line in the first pass; a
// line with more is split again by longWords.
const maxLongWords = 16

// longWords returns the spans of the words of ln at least minWordLen long.
func (s *scanner) longWords(ln []byte) []span {
	s.words = s.words[:0]
	ws := -1
	for i := 0; i <= len(ln); i++ {
		if i == len(ln) || ln[i] == ' ' || ln[i] == '\t' {
			if ws >= 0 && i-ws >= minWordLen {
				s.words = append(s.words, span{start: ws, end: i, url: bytes.Contains(ln[ws:i], []byte("://")),
					oracle: bytes.Contains(ln[ws:i], []byte("@//"))})
			}
			ws = -1
		} else if ws < 0 {
			ws = i
		}
	}
	return s.words
}

// tokens looks for known token shapes in the word ln[a:b].
func (s *scanner) tokens(lineNo int, ln []byte, a, b int) {
	// Inside a word only the few inWord rules can start; at a word start
	// the pair filter rules out most bytes. Either way a byte costs a
	// lookup or two.
	prevWord := a > 0 && wordByte[ln[a-1]]
	for i := a; i+1 < b; i++ {
		c := ln[i]
		w := wordByte[c]
		if w && prevWord {
			continue // inside a run of word bytes: no rule starts here
		}
		var rules []uint16
		if prevWord {
			rules = inWordIndex[c]
		} else if pairOK(c, ln[i+1]) {
			rules = ruleIndex[c]
		}
		prevWord = w
		if rules == nil {
			continue
		}
		start, end, r, ok := matchToken(ln, i, rules)
		if !ok {
			continue
		}
		s.add(lineNo, ln, start, end, r.kind)
		if end-1 > i {
			i = end - 1
			prevWord = wordByte[ln[i]]
		}
	}
}

// add records a match for ln[start:end] unless it overlaps one already
// found on the line. It reports whether it did.
func (s *scanner) add(lineNo int, ln []byte, start, end int, kind string) bool {
	if start >= end {
		return false
	}
	for _, sp := range s.spans {
		if start < sp.end && sp.start < end {
			return false
		}
	}
	s.spans = append(s.spans, span{start: start, end: end})
	s.res.Matches = append(s.res.Matches, Match{
		Line:   lineNo,
		Column: utf8.RuneCount(ln[:start]) + 1,
		Kind:   kind,
		Secret: string(ln[start:end]),
		Offset: s.lineOff + start,
	})
	return true
}

// sortLine orders one line's matches by column (insertion sort: a line
// holds a handful at most), keeping spans in step.
func sortLine(ms []Match, spans []span) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && spans[j].start < spans[j-1].start; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
}

// Private key blocks. The header is a match; so is the body of every line
// up to the END line, since a block spans lines and a Secret does not.
var (
	keyHeader = regexp.MustCompile(`-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----`)
	keyFooter = regexp.MustCompile(`-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----`)
)

// Certificates and public keys are public: their base64 body lines are
// not scanned (they would read as high entropy).
var (
	publicHeader = regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*(?:CERTIFICATE|PUBLIC KEY)(?: REQUEST)?-----`)
	publicFooter = regexp.MustCompile(`-----END (?:[A-Z0-9]+ )*(?:CERTIFICATE|PUBLIC KEY)(?: REQUEST)?-----`)
)

// publicBody reports whether ln, inside a public block, still belongs to
// it: a base64 line, or its END line (which ends the block).
func (s *scanner) publicBody(ln []byte) bool {
	if publicFooter.Match(ln) {
		s.inPublic = false
		return true
	}
	t := bytes.TrimLeft(ln, " \t#")
	for _, c := range t {
		if !csBase64[c] {
			return false
		}
	}
	return true
}

// KindPrivateKey is the Kind of every line of a private key block.
const KindPrivateKey = "a private key block"

func (s *scanner) privateKey(lineNo int, ln []byte) {
	h := keyHeader.FindIndex(ln)
	if h == nil {
		if publicHeader.Match(ln) && !publicFooter.Match(ln) {
			s.inPublic = true
		}
		return
	}
	if f := keyFooter.FindIndex(ln[h[1]:]); f != nil {
		// A whole block on one line, as in a JSON string with \n escapes.
		s.add(lineNo, ln, h[0], h[1]+f[1], KindPrivateKey)
		return
	}
	end := h[1]
	for end < len(ln) && (csBase64[ln[end]] || ln[end] == '\\') {
		end++
	}
	s.add(lineNo, ln, h[0], end, KindPrivateKey)
	s.inKey = true
}

// keyBody handles a line inside a private key block: base64 or a PEM
// header (Proc-Type: ...) continues the block; the END line or anything
// else (an ordinary YAML line after a lone header) ends it.
func (s *scanner) keyBody(lineNo int, ln []byte) {
	a := 0
	for a < len(ln) && (ln[a] == ' ' || ln[a] == '\t' || ln[a] == '#' || ln[a] == '"' || ln[a] == '\'') {
		a++
	}
	if f := keyFooter.FindIndex(ln); f != nil {
		s.inKey = false
		if a < f[0] {
			s.add(lineNo, ln, a, f[0], KindPrivateKey) // the body's end, before the footer
		}
		return
	}
	b := len(ln)
	for b > a && (ln[b-1] == ' ' || ln[b-1] == '"' || ln[b-1] == '\'' || ln[b-1] == '\\' || ln[b-1] == 'n' && b-2 >= a && ln[b-2] == '\\') {
		if ln[b-1] == 'n' {
			b--
		}
		b--
	}
	if a == b {
		return // a blank line inside the block
	}
	body := true
	for _, c := range ln[a:b] {
		if !csBase64[c] {
			body = false
			break
		}
	}
	if !body && !isPEMHeader(ln[a:b]) {
		s.inKey = false // not key material: the block has ended (or never began)
		return
	}
	s.add(lineNo, ln, a, b, KindPrivateKey)
}

// isPEMHeader: the headers an encrypted PEM block may carry.
func isPEMHeader(t []byte) bool {
	for _, h := range []string{"Proc-Type:", "DEK-Info:", "Comment:"} {
		if bytes.HasPrefix(t, []byte(h)) {
			return true
		}
	}
	return false
}
