package leak

import (
	"cmp"
	"slices"
	"unicode/utf8"
)

// Lines continued by a final backslash (see Scan). Each line of a run is
// scanned on its own as it comes; when the run ends, its lines are joined
// and scanned again as one, and what that finds is added line by line,
// merged with what the lines gave on their own.

// runLine is one line of a run of continued lines.
type runLine struct {
	line       int
	start, end int // the line's bytes in the text, without the backslash
	allowed    bool
}

// continuation notes the line lineNo, data[start:end], which cont says is
// continued, and joins the run when this line ends it.
func (s *scanner) continuation(data []byte, lineNo, start, end int, cont bool) {
	allowed := len(s.res.Allowances) > 0 && s.res.Allowances[len(s.res.Allowances)-1].Line == lineNo
	s.run = append(s.run, runLine{line: lineNo, start: start, end: end, allowed: allowed})
	if !cont {
		s.joinRun(data)
	}
}

// joinRun scans the run's lines as one and adds each match, cut at the
// line breaks, to the lines it spans.
func (s *scanner) joinRun(data []byte) {
	run := s.run
	s.run = s.run[:0]
	type segment struct {
		at   int // where the segment starts in joined
		from int // and in data
		line runLine
	}
	var joined []byte
	segs := make([]segment, 0, len(run))
	allowed := false
	for k, l := range run {
		from := l.start
		if k > 0 {
			for from < l.end && (data[from] == ' ' || data[from] == '\t') {
				from++
			}
		}
		segs = append(segs, segment{at: len(joined), from: from, line: l})
		joined = append(joined, data[from:l.end]...)
		allowed = allowed || l.allowed
	}
	// The run's lines were the last scanned: their matches end the list.
	t := len(s.res.Matches)
	for t > 0 && s.res.Matches[t-1].Line >= run[0].line {
		t--
	}
	type found struct {
		Match
		run bool // found on the joined line
	}
	var all []found
	for _, m := range s.res.Matches[t:] {
		all = append(all, found{Match: m})
	}
	for _, m := range Scan(joined).Matches {
		a, b := m.Offset, m.Offset+len(m.Secret)
		cont := false
		for _, sg := range segs {
			end := sg.at + sg.line.end - sg.from
			lo, hi := max(a, sg.at), min(b, end)
			if lo >= hi {
				continue
			}
			off := sg.from + lo - sg.at
			all = append(all, found{run: true, Match: Match{
				Line:      sg.line.line,
				Column:    utf8.RuneCount(data[sg.line.start:off]) + 1,
				Kind:      m.Kind,
				Secret:    string(data[off : off+hi-lo]),
				Offset:    off,
				Continued: cont,
			}})
			cont = true
		}
	}
	// In order, and a match of the joined line merged with the ones it
	// overlaps into one, of its kind: the joined line is the one read
	// with the most context.
	slices.SortStableFunc(all, func(a, b found) int { return cmp.Compare(a.Offset, b.Offset) })
	out := s.res.Matches[:t]
	var fromRun []bool
	for _, f := range all {
		if n := len(out); n > t && out[n-1].Line == f.Line && f.Offset < out[n-1].Offset+len(out[n-1].Secret) {
			last := &out[n-1]
			end := max(last.Offset+len(last.Secret), f.Offset+len(f.Secret))
			last.Secret = string(data[last.Offset:end])
			if f.run && !fromRun[n-1-t] {
				last.Kind = f.Kind
			}
			fromRun[n-1-t] = fromRun[n-1-t] || f.run
			last.Continued = last.Continued || f.Continued
			continue
		}
		out = append(out, f.Match)
		fromRun = append(fromRun, f.run)
	}
	s.res.Matches = out
	if !allowed {
		return
	}
	// One line for allowances too: every match on the run is allowed.
	for i := t; i < len(s.res.Matches); i++ {
		s.res.Matches[i].Allowed = true
	}
	if t < len(s.res.Matches) {
		lo, hi := run[0].line, run[len(run)-1].line
		for i := len(s.res.Allowances) - 1; i >= 0 && s.res.Allowances[i].Line >= lo; i-- {
			if s.res.Allowances[i].Line <= hi {
				s.res.Allowances[i].Used = true
			}
		}
	}
}
