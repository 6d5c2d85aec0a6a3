package jiratest

import (
	"fmt"
	"strings"
	"unicode"
)

// query is the JQL subset rotor sends:
//
//	project = KEY AND labels = L [AND labels != L]... AND statusCategory != Done
//	ORDER BY key [ASC|DESC]
//
// Values may be bare words or quoted strings. Anything else is refused the
// way Jira refuses a query it cannot parse.
type query struct {
	project   string
	clauses   []clause
	orderDesc bool
}

type clause struct {
	field string // "labels" or "statuscategory"
	neg   bool
	value string
}

type jqlError struct{ msg string }

func (e *jqlError) Error() string { return e.msg }

func jqlErrorf(format string, args ...any) error {
	return &jqlError{msg: fmt.Sprintf(format, args...)}
}

type token struct {
	text   string
	quoted bool
	pos    int
}

func tokenize(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		r := rune(s[i])
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '"' || r == '\'':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if c == s[start] {
					closed = true
					i++
					break
				}
				b.WriteByte(c)
				i++
			}
			if !closed {
				return nil, jqlErrorf("Error in the JQL Query: The quoted string '%s' has not been completed. (line 1, character %d)", s[start+1:], start+1)
			}
			toks = append(toks, token{text: b.String(), quoted: true, pos: start + 1})
		case r == '!' && i+1 < len(s) && s[i+1] == '=':
			toks = append(toks, token{text: "!=", pos: i + 1})
			i += 2
		case r == '=' || r == ',' || r == '(' || r == ')' || r == '~' || r == '<' || r == '>':
			toks = append(toks, token{text: string(r), pos: i + 1})
			i++
		default:
			start := i
			for i < len(s) && !unicode.IsSpace(rune(s[i])) && !strings.ContainsRune(`"'=!,()~<>`, rune(s[i])) {
				i++
			}
			if i == start { // a lone '!'
				return nil, jqlErrorf("Error in the JQL Query: The character '%c' is a reserved JQL character. (line 1, character %d)", s[i], i+1)
			}
			toks = append(toks, token{text: s[start:i], pos: start + 1})
		}
	}
	return toks, nil
}

func isWord(t token, w string) bool { return !t.quoted && strings.EqualFold(t.text, w) }

// parseJQL parses the subset; it does not check that values exist.
func parseJQL(s string) (*query, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	q := &query{}
	i := 0
	at := func() string {
		if i < len(toks) {
			return fmt.Sprintf("'%s' (line 1, character %d)", toks[i].text, toks[i].pos)
		}
		return "the end of the query"
	}
	projects := 0
	for i < len(toks) && !isWord(toks[i], "order") {
		if len(q.clauses) > 0 || projects > 0 {
			if !isWord(toks[i], "and") {
				return nil, jqlErrorf("Error in the JQL Query: Expecting either 'AND' or 'ORDER BY' but got %s. The fake Jira understands only AND.", at())
			}
			i++
		}
		if i+2 >= len(toks) {
			return nil, jqlErrorf("Error in the JQL Query: Expecting a field name, an operator and a value but got %s.", at())
		}
		field, op, val := toks[i], toks[i+1], toks[i+2]
		if field.quoted {
			return nil, jqlErrorf("Error in the JQL Query: Expecting a field name but got %s.", at())
		}
		if op.text != "=" && op.text != "!=" || op.quoted {
			i++
			return nil, jqlErrorf("Error in the JQL Query: Expecting operator '=' or '!=' but got %s. The fake Jira understands only these.", at())
		}
		if !val.quoted && (val.text == "(" || isWord(val, "and") || isWord(val, "order") || isWord(val, "empty") || isWord(val, "null") || strings.HasSuffix(val.text, "()")) {
			i += 2
			return nil, jqlErrorf("Error in the JQL Query: Expecting a value but got %s.", at())
		}
		switch f := strings.ToLower(field.text); f {
		case "project":
			if op.text != "=" {
				return nil, jqlErrorf("Error in the JQL Query: the fake Jira supports only 'project = KEY'.")
			}
			if projects > 0 {
				return nil, jqlErrorf("Error in the JQL Query: the fake Jira supports one project clause.")
			}
			projects++
			q.project = val.text
		case "labels", "statuscategory":
			q.clauses = append(q.clauses, clause{field: f, neg: op.text == "!=", value: val.text})
		default:
			return nil, jqlErrorf("Field '%s' does not exist or you do not have permission to view it. (The fake Jira knows project, labels and statusCategory.)", field.text)
		}
		i += 3
	}
	if i < len(toks) {
		if i+1 >= len(toks) || !isWord(toks[i+1], "by") {
			i++
			return nil, jqlErrorf("Error in the JQL Query: Expecting 'BY' but got %s.", at())
		}
		i += 2
		if i >= len(toks) || !isWord(toks[i], "key") {
			return nil, jqlErrorf("Error in the JQL Query: the fake Jira orders only by key, got %s.", at())
		}
		i++
		if i < len(toks) && (isWord(toks[i], "asc") || isWord(toks[i], "desc")) {
			q.orderDesc = isWord(toks[i], "desc")
			i++
		}
		if i < len(toks) {
			return nil, jqlErrorf("Error in the JQL Query: Expecting the end of the query but got %s.", at())
		}
	}
	if projects == 0 {
		return nil, jqlErrorf("Unbounded JQL queries are not allowed here. Please add a search restriction to your query.")
	}
	return q, nil
}
