package validate

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// entry is a credential read from a file, with where its id was written.
type entry struct {
	cred  *rotation.Credential
	idPos rotation.Position
}

type fileResult struct {
	entries  []entry
	findings []register.Finding
	secrets  []string // what the leak guard found, for redaction
}

// fileChecker validates one file. The rules read today and the settings
// from it, and report through add.
type fileChecker struct {
	v        *Validator
	settings *rotation.Settings
	today    rotation.Date
	path     string

	findings   []register.Finding
	suppressed int // findings past maxFindingsPerFile
	// bad holds the JSON pointers of values that failed the schema, so
	// decode leaves them unset and the rules do not report them a second
	// time.
	bad map[string]bool
}

func (c *fileChecker) check() (fileResult, error) {
	data, findings, err := register.ReadBytes(c.path)
	if err != nil {
		return fileResult{}, err
	}
	if data == nil {
		return fileResult{findings: findings}, nil
	}
	return c.checkData(data), nil
}

// checkData checks one file's bytes. The leak guard reads all of them,
// whether or not they parse, and goes first so that the bound on findings
// never hides a leak; the schema and the rules read the parsed file. No
// finding prints a secret the leak guard found.
func (c *fileChecker) checkData(data []byte) fileResult {
	doc, findings := register.Parse(c.path, data)
	c.findings = append(c.findings, findings...)
	secrets := c.scanLeaks(data, doc)
	var entries []entry
	if doc != nil {
		entries = c.checkDoc(doc)
	}
	if c.suppressed > 0 {
		c.findings = append(c.findings, register.Finding{
			File: c.path, Line: 1, Column: 1, Severity: register.SeverityError, Rule: register.RuleFile,
			Message: fmt.Sprintf("%d more problems in this file are not shown", c.suppressed),
			Hint:    "fix the problems above and run rotor validate again",
		})
	}
	secrets = redact(c.findings, secrets)
	return fileResult{entries: entries, findings: c.findings, secrets: secrets}
}

// checkDoc checks a parsed file against the schema, decodes each entry of
// its credentials list and runs the credential rules on it, and returns
// the credentials rotor can track.
func (c *fileChecker) checkDoc(doc *register.Document) []entry {
	value := register.Value(doc.Root, func(key, first *yaml.Node) {
		c.add(key, register.SeverityError, register.RuleYAML,
			fmt.Sprintf("key %q appears twice in this mapping (first at line %d)", key.Value, first.Line),
			"keep one of them; YAML would silently use only one")
	})
	c.checkSchema(doc.Root, value)
	c.unknownFields(doc.Root, topFields, "the top level of a register file")

	var entries []entry
	if _, creds := register.MapGet(doc.Root, "credentials"); creds != nil && creds.Kind == yaml.SequenceNode {
		for i, item := range creds.Content {
			if item.Kind != yaml.MappingNode {
				continue
			}
			d, ok := c.decodeCredential(i, item)
			for _, r := range credentialRules {
				r.checkCredential(c, d)
			}
			if ok {
				entries = append(entries, entry{cred: d.cred, idPos: rotation.Position{File: c.path, Line: d.id.Line, Column: d.id.Column}})
			}
		}
	}
	return entries
}

// maxFindingsPerFile bounds what one file can report, so a hostile file of
// a million bad entries costs milliseconds and a screenful, not minutes
// and gigabytes.
const maxFindingsPerFile = 200

func (c *fileChecker) add(n *yaml.Node, sev register.Severity, rule, msg, hint string) {
	c.addAt(n.Line, n.Column, sev, rule, msg, hint)
}

func (c *fileChecker) addAt(line, col int, sev register.Severity, rule, msg, hint string) {
	if len(c.findings) >= maxFindingsPerFile {
		c.suppressed++
		return
	}
	c.findings = append(c.findings, register.Finding{
		File: c.path, Line: line, Column: col, Severity: sev, Rule: rule, Message: msg, Hint: hint,
	})
}
