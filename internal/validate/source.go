package validate

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Reading a scalar's value back from the file's bytes, byte for byte, so
// that the leak guard can tell which part of a parsed value a match in
// the raw text is, and where in the file a match in a parsed value is.

// lineCursor turns lines and columns into offsets and back, moving
// forward through the file as the nodes and matches do (it starts again
// from the top when asked for something behind it).
type lineCursor struct {
	data       []byte
	line, from int // line is the 1-based line that starts at offset from
}

func newLineCursor(data []byte) lineCursor { return lineCursor{data: data, line: 1} }

// offset returns the offset of line and rune column col (both 1-based, as
// yaml.v3 counts them); false when the file has no such place.
func (lc *lineCursor) offset(line, col int) (int, bool) {
	if line < lc.line {
		lc.line, lc.from = 1, 0
	}
	for lc.line < line {
		i := bytes.IndexByte(lc.data[lc.from:], '\n')
		if i < 0 {
			return 0, false
		}
		lc.from += i + 1
		lc.line++
	}
	off := lc.from
	for c := 1; c < col; c++ {
		if off >= len(lc.data) || lc.data[off] == '\n' {
			return 0, false
		}
		if lc.data[off] < utf8.RuneSelf {
			off++
			continue
		}
		_, n := utf8.DecodeRune(lc.data[off:])
		off += n
	}
	return off, true
}

// position returns the 1-based line and rune column of offset off.
func (lc *lineCursor) position(off int) (line, col int) {
	if off < lc.from {
		lc.line, lc.from = 1, 0
	}
	for {
		i := bytes.IndexByte(lc.data[lc.from:], '\n')
		if i < 0 || lc.from+i >= off {
			break
		}
		lc.from += i + 1
		lc.line++
	}
	return lc.line, utf8.RuneCount(lc.data[lc.from:min(off, len(lc.data))]) + 1
}

// scalarSource is where a scalar's value was read from: the bytes
// data[start:end] (inside the quotes of a quoted scalar, after the header
// line of a block scalar), and for each byte of the value the offset of
// what it was read from (an escape's backslash, a folded line break).
type scalarSource struct {
	start, end int
	// rawOf[i] is the offset of value byte i, and rawOf[len(value)] is end.
	// nil when the value is data[start:end] as it is.
	rawOf []int
}

// raw returns the offset in the file of value byte i (i may be the length
// of the value: then the end).
func (src *scalarSource) raw(i int) int {
	if src.rawOf == nil {
		return src.start + i
	}
	return src.rawOf[i]
}

// valueIndex returns the index of the first value byte read from at or
// after offset off, or the value's length.
func (src *scalarSource) valueIndex(off, n int) int {
	if src.rawOf == nil {
		return min(max(off-src.start, 0), n)
	}
	lo, hi := 0, n
	for lo < hi {
		m := (lo + hi) / 2
		if src.rawOf[m] < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// verbatim reports whether the value is data[start:end] as it is.
func (src *scalarSource) verbatim() bool { return src.rawOf == nil }

// locateScalar reads the scalar n back from data, where yaml.v3 says it
// starts: at offset at (its tag or anchor, if it has one). ok is false
// when what it reads there is not n.Value.
func locateScalar(data []byte, at int, n *yaml.Node) (src scalarSource, ok bool) {
	at = skipProperties(data, at)
	if at >= len(data) {
		return src, n.Value == ""
	}
	v := n.Value
	switch data[at] {
	case '"', '\'':
		q := data[at]
		stop := "\"\\\n\r"
		if q == '\'' {
			stop = "'\n\r"
		}
		if i := bytes.IndexAny(data[at+1:], stop); i >= 0 {
			end := at + 1 + i
			if data[end] == q && (q == '"' || end+1 >= len(data) || data[end+1] != '\'') && string(data[at+1:end]) == v {
				return scalarSource{start: at + 1, end: end}, true
			}
		}
		value, rawOf, end, ok := readQuoted(data, at)
		if !ok || string(value) != v {
			return src, false
		}
		return scalarSource{start: at + 1, end: end, rawOf: rawOf}, true
	case '|', '>':
		nl := bytes.IndexByte(data[at:], '\n')
		if nl < 0 {
			return src, v == ""
		}
		return matchText(data, at+nl+1, v)
	}
	if len(data)-at >= len(v) && string(data[at:at+len(v)]) == v {
		return scalarSource{start: at, end: at + len(v)}, true
	}
	return matchText(data, at, v) // a plain scalar folded over lines
}

// skipProperties skips a node's tag (!!str, !x) and anchor (&a), and the
// blanks, breaks and comments after them, as yaml.v3 reads them: an
// anchor's name is letters, digits, '_' and '-'; a tag ends at a blank or,
// in a flow collection, a ','.
func skipProperties(data []byte, at int) int {
	for at < len(data) && (data[at] == '!' || data[at] == '&') {
		if data[at] == '&' {
			at++
			for at < len(data) && (isAlnum(data[at]) || data[at] == '_' || data[at] == '-') {
				at++
			}
		} else {
			for at < len(data) && !isBlankOrBreak(data[at]) && data[at] != ',' {
				at++
			}
		}
		for at < len(data) && (isBlankOrBreak(data[at]) || data[at] == '#') {
			if data[at] == '#' {
				for at < len(data) && data[at] != '\n' {
					at++
				}
				continue
			}
			at++
		}
	}
	return at
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isBlankOrBreak(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// matchText reads a plain or block scalar's value v from data[at:]: the
// two have the same bytes but for white space (indentation, folded line
// breaks), so each byte of v that is not white space must be the next one
// of data that is not.
func matchText(data []byte, at int, v string) (scalarSource, bool) {
	rawOf := make([]int, len(v)+1)
	i := at
	for k := 0; k < len(v); k++ {
		if isBlankOrBreak(v[k]) {
			rawOf[k] = i
			continue
		}
		for i < len(data) && isBlankOrBreak(data[i]) {
			i++
		}
		if i >= len(data) || data[i] != v[k] {
			return scalarSource{}, false
		}
		rawOf[k] = i
		i++
	}
	rawOf[len(v)] = i
	return scalarSource{start: at, end: i, rawOf: rawOf}, true
}

// readQuoted reads the quoted scalar that starts with its quote at
// data[at] as yaml.v3 does: escapes (double quotes), ” (single quotes),
// and line breaks folded with the blanks around them. It returns the
// value, the offset each value byte was read from, and the offset of the
// closing quote.
func readQuoted(data []byte, at int) (value []byte, rawOf []int, end int, ok bool) {
	q := data[at]
	i := at + 1
	emit := func(b []byte, from int) {
		value = append(value, b...)
		for range b {
			rawOf = append(rawOf, from)
		}
	}
	for {
		// Text up to a blank, a break or the closing quote.
		leadingBlanks := false
		for i < len(data) && !isBlankOrBreak(data[i]) {
			c := data[i]
			switch {
			case q == '\'' && c == '\'' && i+1 < len(data) && data[i+1] == '\'':
				emit([]byte{'\''}, i)
				i += 2
				continue
			case c == q:
			case q == '"' && c == '\\' && i+1 < len(data) && (data[i+1] == '\n' || data[i+1] == '\r'):
				i += 1 + breakLen(data, i+1)
				leadingBlanks = true
			case q == '"' && c == '\\':
				b, n, ok := escape(data[i:])
				if !ok {
					return nil, nil, 0, false
				}
				emit(b, i)
				i += n
				continue
			default:
				emit(data[i:i+1], i)
				i++
				continue
			}
			break
		}
		if i >= len(data) {
			return nil, nil, 0, false
		}
		if data[i] == q {
			rawOf = append(rawOf, i)
			return value, rawOf, i, true
		}
		// Blanks and breaks, then their folding.
		var blanks []int // offsets of blanks kept as they are
		leadingBreak, trailingBreaks := -1, []int(nil)
		for i < len(data) && isBlankOrBreak(data[i]) {
			if data[i] == ' ' || data[i] == '\t' {
				if !leadingBlanks {
					blanks = append(blanks, i)
				}
				i++
				continue
			}
			if !leadingBlanks {
				blanks = blanks[:0]
				leadingBreak = i
				leadingBlanks = true
			} else {
				trailingBreaks = append(trailingBreaks, i)
			}
			i += breakLen(data, i)
		}
		switch {
		case !leadingBlanks:
			for _, b := range blanks {
				emit(data[b:b+1], b)
			}
		case leadingBreak >= 0 && len(trailingBreaks) == 0:
			emit([]byte{' '}, leadingBreak)
		default: // folded breaks, or the blank lines after an escaped break
			for _, b := range trailingBreaks {
				emit([]byte{'\n'}, b)
			}
		}
	}
}

// breakLen is the length of the line break at data[i]: \r\n, \n or \r.
func breakLen(data []byte, i int) int {
	if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
		return 2
	}
	return 1
}

// escape decodes the escape sequence at the start of s (a backslash and
// what follows) as YAML's double-quoted scalars have them. It returns the
// bytes it stands for and its length.
func escape(s []byte) ([]byte, int, bool) {
	if len(s) < 2 {
		return nil, 0, false
	}
	switch s[1] {
	case '0':
		return []byte{0}, 2, true
	case 'a':
		return []byte{7}, 2, true
	case 'b':
		return []byte{8}, 2, true
	case 't', '\t':
		return []byte{9}, 2, true
	case 'n':
		return []byte{10}, 2, true
	case 'v':
		return []byte{11}, 2, true
	case 'f':
		return []byte{12}, 2, true
	case 'r':
		return []byte{13}, 2, true
	case 'e':
		return []byte{27}, 2, true
	case ' ', '"', '/', '\\', '\'':
		return []byte{s[1]}, 2, true
	case 'N':
		return []byte("\u0085"), 2, true
	case '_':
		return []byte("\u00a0"), 2, true
	case 'L':
		return []byte("\u2028"), 2, true
	case 'P':
		return []byte("\u2029"), 2, true
	}
	digits := 0
	switch s[1] {
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	}
	if digits == 0 || len(s) < 2+digits {
		return nil, 0, false
	}
	r, err := strconv.ParseUint(string(s[2:2+digits]), 16, 32)
	if err != nil || r > utf8.MaxRune || r >= 0xD800 && r <= 0xDFFF {
		return nil, 0, false
	}
	return utf8.AppendRune(nil, rune(r)), 2 + digits, true
}

// unquotedForms returns how text matched in the raw file can read once
// YAML has parsed it: ” as ' (single quotes), escapes decoded (double
// quotes). Forms equal to text are left out.
func unquotedForms(text string) []string {
	var out []string
	if single := bytes.ReplaceAll([]byte(text), []byte("''"), []byte("'")); string(single) != text {
		out = append(out, string(single))
	}
	if bytes.IndexByte([]byte(text), '\\') < 0 {
		return out
	}
	var b []byte
	s := []byte(text)
	for i := 0; i < len(s); {
		if s[i] == '\\' {
			if d, n, ok := escape(s[i:]); ok {
				b = append(b, d...)
				i += n
				continue
			}
		}
		b = append(b, s[i])
		i++
	}
	return append(out, string(b))
}
