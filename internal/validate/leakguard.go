package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// The leak guard's rules.
const (
	// RuleLeak reports what looks like secret material.
	RuleLeak = "leak"
	// RuleAllowLeak reports the leak guard's allowances: the ones honoured
	// (a notice, so review sees each), and malformed or stale ones.
	RuleAllowLeak = "allow-leak"
)

const leakHint = "the register must never hold secret material: remove it, and rotate the secret if it was ever committed or pushed; " +
	"if this is not a secret, end the line with '# " + leak.AllowMarker + " <why>' for review"

// maxAllowReason bounds the reason an honoured allowance prints.
const maxAllowReason = 200

// scanLeaks runs the leak guard over every byte of data, the file as it is
// on disk: values, keys and comments alike, wherever they are (before the
// first key, after a document end marker, in a file that does not parse).
// When the file parsed (doc), it also reads every scalar's parsed value,
// which can hold what no raw line shows whole (a doubled quote, an escape,
// a line folded or continued), and takes what it finds out of the values
// themselves (see valueGuard): nothing read from doc afterwards, a finding
// that quotes a value or a credential read from history, holds a flagged
// secret. It returns the secrets found, for redact.
func (c *fileChecker) scanLeaks(data []byte, doc *register.Document) []string {
	res := leak.Scan(data)
	var g *valueGuard
	if doc != nil {
		g = readValues(data, doc.Root, &res)
	}
	if len(res.Matches) == 0 && len(res.Allowances) == 0 && (g == nil || len(g.found) == 0 && len(g.spans) == 0) {
		return nil
	}
	var leaks []leakAt
	var lines [][]byte // the file's lines, split on first need
	var secrets []string
	keyBlockLine := -1 // the last line of a private key block reported
	for i, m := range res.Matches {
		if m.Allowed || g.identifier(i) {
			continue
		}
		secrets = append(secrets, m.Secret)
		secrets = append(secrets, unquotedForms(m.Secret)...)
		if m.Continued {
			continue // reported with the part on the line before
		}
		if m.Kind == leak.KindPrivateKey {
			// One finding for a whole block, at its header; every line's
			// secret is still redacted.
			next := m.Line == keyBlockLine+1
			keyBlockLine = m.Line
			if next {
				continue
			}
		}
		w := where{}
		if g != nil {
			w = g.owners[i]
		}
		if !w.known {
			if lines == nil {
				// Once per file: a hostile file of a million secrets must not
				// pay a scan from the top for each of them.
				lines = bytes.Split(data, []byte("\n"))
			}
			w.comment = inComment(lineAt(lines, m.Line), m.Column)
		}
		leaks = append(leaks, leakAt{m.Line, m.Column, m.Kind, w})
	}
	if g != nil {
		leaks = append(leaks, g.found...)
		secrets = append(secrets, g.secrets...)
		g.apply(leak.NewRedactor(secrets))
	}
	for _, l := range leaks {
		c.addAt(l.line, l.col, register.SeverityError, RuleLeak, fmt.Sprintf("%s looks like %s", l.where, l.kind), leakHint)
	}
	for _, a := range res.Allowances {
		switch {
		case a.Reason == "":
			c.addAt(a.Line, 1, register.SeverityError, RuleAllowLeak,
				leak.AllowMarker+" without a reason",
				"say why this is not a secret, e.g. '# "+leak.AllowMarker+" AWS documentation example key', so a reviewer can check it")
		case !a.Used:
			c.addAt(a.Line, 1, register.SeverityWarning, RuleAllowLeak,
				leak.AllowMarker+" on a line the leak guard has nothing against",
				"remove the comment: an allowance is for a reviewed false positive on its own line")
		default:
			// The reason is cut off before the scan, so that it is never
			// taken for a secret; it is printed, so it is scrubbed here.
			c.addAt(a.Line, 1, register.SeverityNotice, RuleAllowLeak,
				"leak guard allowance honoured: "+textsafe.Clip(leak.Scrub(a.Reason), maxAllowReason), "")
		}
	}
	return secrets
}

// leakAt is a leak to report: where it starts, its kind, and the place it
// is in.
type leakAt struct {
	line, col int
	kind      string
	where     where
}

// where names the place of a match in a message: "a key", "the value of
// owner", "a comment", or "this line".
type where struct {
	known bool       // the match is in a scalar: a key, or key's value
	key   *yaml.Node // the key whose value holds the match (nil: a key, or a list item at the top)
	isKey bool
	// keyID: the scalar is source.aws_iam_access_key.access_key_id, whose
	// value is an access key id by design (see fieldPlace).
	keyID bool
	// comment: the match is in a comment (when not known).
	comment bool
}

func (w where) String() string {
	switch {
	case w.known && w.isKey:
		return "a key"
	case w.known && w.key != nil:
		return "the value of " + w.key.Value
	case w.comment:
		return "a comment"
	}
	return "this line"
}

func lineAt(lines [][]byte, n int) []byte {
	if n < 1 || n > len(lines) {
		return nil
	}
	return bytes.TrimSuffix(lines[n-1], []byte("\r"))
}

// inComment reports whether the rune column col of a YAML line is inside a
// comment: after a '#' that starts the line or follows a blank, outside
// quotes.
func inComment(line []byte, col int) bool {
	var quote rune
	i := 0
	for off, r := range string(line) {
		i++
		if i >= col {
			return false
		}
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			if off == 0 || line[off-1] == ' ' || line[off-1] == ':' || line[off-1] == '-' {
				quote = r
			}
		case r == '#' && (off == 0 || line[off-1] == ' ' || line[off-1] == '\t'):
			return true
		}
	}
	return false
}

// redact replaces the secrets in the findings' messages and hints. The
// values that findings quote were redacted where they were read (see
// valueGuard); this is the net under that, for the secrets long enough to
// be searched for (leak.MinSearchLen). It returns secrets.
func redact(fs []register.Finding, secrets []string) []string {
	if len(secrets) == 0 {
		return nil
	}
	r := leak.NewRedactor(secrets)
	for i := range fs {
		fs[i].Message = r.Redact(fs[i].Message)
		fs[i].Hint = r.Redact(fs[i].Hint)
	}
	return secrets
}

// scanOnly runs the leak guard over a file that holds no credentials: the
// template, or any other file under the register.
func (v *Validator) scanOnly(path string) ([]register.Finding, []string, error) {
	data, findings, err := register.ReadBytes(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, register.ErrNotRegular) {
		// Gone since the walk (a temporary file of a concurrent rotor new)
		// or swapped for something that is not a file: nothing to read.
		return nil, nil, nil
	}
	if err != nil || data == nil {
		return findings, nil, err
	}
	c := fileChecker{v: v, path: path}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		c.addAt(1, 1, register.SeverityError, register.RuleFile,
			fmt.Sprintf("binary file in the register (NUL byte at offset %d)", i),
			"the register holds YAML text only; if this is a key store or a key file, remove it and rotate what it holds")
	}
	secrets := c.scanLeaks(data, nil)
	return c.findings, secrets, nil
}
