package validate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/register"
)

// RuleAllowLeak reports the leak guard's allowances: the ones honoured (a
// notice, so review sees each), and malformed or stale ones.
const RuleAllowLeak = "allow-leak"

const leakHint = "the register must never hold secret material: remove it, and rotate the secret if it was ever committed or pushed; " +
	"if this is not a secret, end the line with '# " + leak.AllowMarker + " <why>' for review"

// maxAllowReason bounds the reason an honoured allowance prints.
const maxAllowReason = 200

// scanLeaks runs the leak guard over every byte of data, the file as it is
// on disk: values, keys and comments alike, wherever they are (before the
// first key, after a document end marker, in a file that does not parse).
// doc, when the file parsed, names the field a match is in. It returns the
// secrets found, for redaction.
func (c *fileChecker) scanLeaks(data []byte, doc *register.Document) []string {
	res := leak.Scan(data)
	if len(res.Matches) == 0 && len(res.Allowances) == 0 {
		return nil
	}
	var keys map[int][]*yaml.Node // line → key nodes on it, built on first need
	var lines [][]byte            // the file's lines, split on first need
	var secrets []string
	keyBlockLine := -1 // the last line of a private key block reported
	for _, m := range res.Matches {
		if m.Allowed {
			continue
		}
		secrets = append(secrets, m.Secret)
		if m.Kind == leak.KindPrivateKey {
			// One finding for a whole block, at its header; every line's
			// secret is still redacted.
			next := m.Line == keyBlockLine+1
			keyBlockLine = m.Line
			if next {
				continue
			}
		}
		if lines == nil {
			// Once per file: a hostile file of a million secrets must not
			// pay a scan from the top for each of them.
			lines = bytes.Split(data, []byte("\n"))
			if doc != nil {
				keys = keysByLine(doc.Root)
			}
		}
		c.addAt(m.Line, m.Column, register.SeverityError, RuleLeak,
			fmt.Sprintf("%s looks like %s", describeLeak(lines, m, keys), m.Kind), leakHint)
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
			c.addAt(a.Line, 1, register.SeverityNotice, RuleAllowLeak,
				"leak guard allowance honoured: "+shorten(a.Reason, maxAllowReason), "")
		}
	}
	return secrets
}

// describeLeak names where on its line a match is: "the value of owner",
// "the key", "a comment", or "this line".
func describeLeak(lines [][]byte, m leak.Match, keys map[int][]*yaml.Node) string {
	var line []byte
	if m.Line >= 1 && m.Line <= len(lines) {
		line = bytes.TrimSuffix(lines[m.Line-1], []byte("\r"))
	}
	if inComment(line, m.Column) {
		return "a comment"
	}
	var key *yaml.Node
	for _, k := range keys[m.Line] {
		if k.Column <= m.Column {
			key = k
		}
	}
	switch {
	case key == nil:
		return "this line"
	case m.Column < key.Column+utf8.RuneCountInString(key.Value):
		return "a key"
	}
	return "the value of " + key.Value
}

// keysByLine indexes the mapping keys under n by their line.
func keysByLine(n *yaml.Node) map[int][]*yaml.Node {
	keys := map[int][]*yaml.Node{}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				keys[k.Line] = append(keys[k.Line], k)
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return keys
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

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// maxRedactSecrets bounds the distinct secrets redacted value by value. A
// file with more is hostile or a dump of secrets; its findings then print
// no value at all.
const maxRedactSecrets = 256

// redact replaces every secret in the findings' messages and hints, so a
// value that tripped the leak guard is never printed by any finding, of
// whatever rule (an owner that is not an email address, an unknown key).
// It returns the distinct secrets, or nil past maxRedactSecrets, when every
// message that is not the leak guard's own is withheld instead.
func redact(fs []register.Finding, secrets []string) []string {
	if len(secrets) == 0 {
		return nil
	}
	slices.Sort(secrets)
	secrets = slices.Compact(secrets)
	if len(secrets) > maxRedactSecrets {
		for i := range fs {
			switch fs[i].Rule {
			case register.RuleFile, RuleAllowLeak:
			case RuleLeak:
				fs[i].Message = "this line holds secret material"
			default:
				fs[i].Message = fs[i].Rule + " problem here (not shown: this file holds too many secrets to print any value from it)"
				fs[i].Hint = leakHint
			}
		}
		return nil
	}
	for i := range fs {
		fs[i].Message = leak.Redact(fs[i].Message, secrets)
		fs[i].Hint = leak.Redact(fs[i].Hint, secrets)
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
