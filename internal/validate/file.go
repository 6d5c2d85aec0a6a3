package validate

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// Field names of the register format.
var (
	topFields        = []string{"credentials"}
	credentialFields = []string{
		"id", "name", "owner", "period_days", "last_changed", "team", "system", "environment",
		"description", "notice_days", "jira_assignee", "runbook", "criticality", "exemption", "last_ticket",
	}
	exemptionFields = []string{"until", "reason", "approved_by"}
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

// fileChecker validates one file.
type fileChecker struct {
	v        *Validator
	settings *rotation.Settings
	today    rotation.Date
	path     string

	findings   []register.Finding
	suppressed int // findings past maxFindingsPerFile
	// bad holds the JSON pointers of values that failed the schema, so the
	// semantic rules do not report them a second time.
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

// checkDoc applies the schema and the rules to a parsed file and returns
// its credentials.
func (c *fileChecker) checkDoc(doc *register.Document) []entry {
	value := register.Value(doc.Root, func(key, first *yaml.Node) {
		c.add(key, register.SeverityError, register.RuleYAML,
			fmt.Sprintf("key %q appears twice in this mapping (first at line %d)", key.Value, first.Line),
			"keep one of them; YAML would silently use only one")
	})
	if c.v.quick == nil || !c.v.quick.valid(value) {
		c.explainSchema(doc.Root, value)
	}
	c.unknownFields(doc.Root, topFields, "the top level of a register file")

	var entries []entry
	if _, creds := register.MapGet(doc.Root, "credentials"); creds != nil && creds.Kind == yaml.SequenceNode {
		for i, item := range creds.Content {
			if item.Kind != yaml.MappingNode {
				continue
			}
			if e, ok := c.credential(i, item); ok {
				entries = append(entries, e)
			}
		}
	}
	return entries
}

// Bounds on what one file can report, so a hostile file of a million bad
// entries costs milliseconds and a screenful, not minutes and gigabytes.
const (
	maxFindingsPerFile = 200
	maxSchemaItems     = 100 // entries explained by the full schema validator
)

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

// explainSchema runs the full validator on a value the quick check refused,
// to say what is wrong. Entries of the credentials list are validated one
// at a time and only while they fail, at most maxSchemaItems of them.
func (c *fileChecker) explainSchema(root *yaml.Node, value any) {
	top, isMap := value.(map[string]any)
	items, isList := top["credentials"].([]any)
	if !isMap || !isList || c.v.quickItem == nil {
		if err := c.v.credential.Validate(value); err != nil {
			c.schemaFindings(root, "", err)
		}
		return
	}
	shallow := make(map[string]any, len(top))
	for k, v := range top {
		shallow[k] = v
	}
	shallow["credentials"] = []any{}
	if err := c.v.credential.Validate(shallow); err != nil {
		c.schemaFindings(root, "", err)
	}
	explained := 0
	for i, item := range items {
		if c.v.quickItem.valid(item) {
			continue
		}
		if explained == maxSchemaItems {
			c.suppressed++
			continue
		}
		explained++
		if err := c.v.item.Validate(item); err != nil {
			c.schemaFindings(root, fmt.Sprintf("/credentials/%d", i), err)
		}
	}
}

// schemaFindings turns every leaf of a schema error into a positioned
// finding at the node the error is about.
func (c *fileChecker) schemaFindings(root *yaml.Node, prefix string, err error) {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		c.add(root, register.SeverityError, RuleSchema, err.Error(), "")
		return
	}
	var leaves []*jsonschema.ValidationError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, e)
		}
		for _, cause := range e.Causes {
			walk(cause)
		}
	}
	walk(ve)
	if c.bad == nil {
		c.bad = map[string]bool{}
	}
	for _, e := range leaves {
		e.InstanceLocation = prefix + e.InstanceLocation
		keyword := lastSegment(e.KeywordLocation)
		if keyword == "additionalProperties" {
			continue // reported with a suggestion by unknownFields
		}
		node, _ := register.Lookup(root, e.InstanceLocation)
		field := fieldName(e.InstanceLocation)
		if keyword == "required" {
			for _, name := range quoted(e.Message) {
				c.add(node, register.SeverityError, RuleSchema,
					fmt.Sprintf("%s is missing required field %q", describeObject(node, e.InstanceLocation), name),
					fmt.Sprintf("add '%s:' to this entry (every field is explained in template.yaml)", name))
			}
			continue
		}
		c.bad[e.InstanceLocation] = true
		if (field == "last_changed" || field == "until") && (keyword == "pattern" || keyword == "type") {
			c.add(node, register.SeverityError, RuleDate,
				fmt.Sprintf("%s: %s is not a date in YYYY-MM-DD form", field, quoteNode(node)), fieldHints[field])
			continue
		}
		if keyword == "type" && numericFields[field] && register.LooksNumeric(node) {
			c.add(node, register.SeverityError, RuleNumber,
				fmt.Sprintf("%s: %s is not a plain decimal whole number (%s)", field, node.Value, numberProblem(node.Value)),
				fmt.Sprintf("write it as digits only, without sign, point, exponent, prefix, underscore or leading zero, e.g. %s: 90", field))
			continue
		}
		if keyword == "pattern" && node.Kind == yaml.ScalarNode {
			multiline := multilineFields[field]
			if r, at, found := rotation.ControlRune(node.Value, multiline); found {
				what := "single-line text cannot hold line breaks, tabs or other control characters"
				if multiline {
					what = "text may hold line breaks and tabs, but no other control characters"
				}
				c.add(node, register.SeverityError, RuleSchema,
					fmt.Sprintf("%s: the value has the character U+%04X at byte %d; %s", field, r, at, what),
					"remove it; hidden and bidirectional characters make a value read differently from what it is")
				continue
			}
		}
		msg := e.Message
		if keyword == "pattern" {
			msg = fmt.Sprintf("%s does not have the expected form", quoteNode(node))
		}
		c.add(node, register.SeverityError, RuleSchema, field+": "+msg, fieldHints[field])
	}
}

// multilineFields are the text fields that may span lines.
var multilineFields = map[string]bool{"description": true, "reason": true}

// numericFields are the whole-number fields of the register and settings.
var numericFields = map[string]bool{"period_days": true, "notice_days": true}

// numberProblem says what keeps s from being a plain decimal whole number.
func numberProblem(s string) string {
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "0x"), strings.HasPrefix(lower, "+0x"), strings.HasPrefix(lower, "-0x"):
		return "it is hexadecimal"
	case strings.HasPrefix(lower, "0o"), strings.HasPrefix(lower, "0b"):
		return "it has a base prefix"
	case s[0] == '+' || s[0] == '-':
		return "it has a sign"
	case strings.Contains(s, "_"):
		return "it has an underscore"
	case strings.ContainsAny(lower, ".e"):
		return "it is a decimal fraction or has an exponent"
	case len(s) > 1 && s[0] == '0':
		return "a leading zero makes YAML read it as octal"
	}
	return "it is not made of digits"
}

var fieldHints = map[string]string{
	"credentials":   "start the file with 'credentials:' followed by a list of entries, each beginning with '- id:'",
	"id":            "use lower-case letters, digits and single dashes, at most 64 characters, e.g. payments-db-admin",
	"name":          "a short human title, e.g. 'Payments DB admin password'",
	"owner":         "the contact person's email address, e.g. alice@example.com",
	"period_days":   "a whole number of days from 1 to 3650, e.g. 90",
	"last_changed":  "write the date of the last rotation as YYYY-MM-DD, e.g. 2026-05-22",
	"until":         "write the last day of the exemption as YYYY-MM-DD, e.g. 2026-12-31",
	"notice_days":   "a whole number of days from 0 to 365, less than period_days",
	"jira_assignee": "the Jira accountId (Jira profile URL, or /rest/api/3/user/search), not a name or email",
	"runbook":       "an http(s) URL of the rotation procedure",
	"criticality":   "one of low, medium, high, critical",
	"exemption":     "an exemption needs until, reason and approved_by",
	"last_ticket":   "a Jira key such as SEC-42; rotor writes this field itself",
}

func lastSegment(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// fieldName returns the last property name in a JSON pointer.
func fieldName(pointer string) string {
	segs := strings.Split(pointer, "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if _, err := strconv.Atoi(segs[i]); err != nil && segs[i] != "" {
			return segs[i]
		}
	}
	return "file"
}

// quoted returns the single-quoted names in a jsonschema message such as
// "missing properties: 'owner', 'name'".
func quoted(msg string) []string {
	var names []string
	for {
		i := strings.IndexByte(msg, '\'')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(msg[i+1:], '\'')
		if j < 0 {
			return names
		}
		names = append(names, msg[i+1:i+1+j])
		msg = msg[i+j+2:]
	}
}

func describeObject(n *yaml.Node, pointer string) string {
	if _, id := register.MapGet(n, "id"); id != nil && id.Kind == yaml.ScalarNode && id.Value != "" {
		return fmt.Sprintf("credential %q", id.Value)
	}
	switch fieldName(pointer) {
	case "credentials":
		return "this credential"
	case "file":
		return "the file"
	}
	return fieldName(pointer)
}

func quoteNode(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return "the value"
}

// unknownFields reports keys of mapping m that are not in known, with the
// closest known name as a hint.
func (c *fileChecker) unknownFields(m *yaml.Node, known []string, where string) {
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if slices.Contains(known, k.Value) {
			continue
		}
		hint := fmt.Sprintf("the fields allowed here are: %s", strings.Join(known, ", "))
		if s := suggest(k.Value, known); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		c.add(k, register.SeverityError, RuleUnknownField, fmt.Sprintf("unknown field %q in %s", k.Value, where), hint)
	}
}

// isBad reports whether the value at ptr/field failed the schema.
func (c *fileChecker) isBad(ptr, field string) bool {
	return c.bad != nil && c.bad[ptr+"/"+field]
}

// credential reads entry i of the credentials list and applies the
// semantic rules to it. ok is false when the entry has no usable id.
func (c *fileChecker) credential(i int, m *yaml.Node) (entry, bool) {
	c.unknownFields(m, credentialFields, "a credential")
	cred := &rotation.Credential{Pos: rotation.Position{File: c.path, Line: m.Line, Column: m.Column}}
	var ptr string // built only when the schema found something
	if c.bad != nil {
		ptr = "/credentials/" + strconv.Itoa(i)
	}
	str := func(field string) (string, *yaml.Node) {
		_, v := register.MapGet(m, field)
		if v == nil || v.Kind != yaml.ScalarNode || c.isBad(ptr, field) {
			return "", nil
		}
		return v.Value, v
	}
	integer := func(field string) (int, *yaml.Node) {
		s, v := str(field)
		if v == nil {
			return 0, nil
		}
		// The schema already refused anything but plain decimal, so the
		// rules read the very number the schema checked.
		n, ok := register.PlainInt(s)
		if !ok {
			return 0, nil
		}
		return n, v
	}

	id, idNode := str("id")
	if idNode != nil && rotation.ReservedID(id) {
		c.add(idNode, register.SeverityError, RuleSchema,
			fmt.Sprintf("id %q is reserved: its label %s is the one rotor uses to mark tickets", id, rotation.IdentityLabel(id)),
			"choose another id, for example one that names the system too")
		idNode = nil // not a credential rotor can track
	}
	cred.ID = id
	cred.Name, _ = str("name")
	cred.Team, _ = str("team")
	cred.System, _ = str("system")
	cred.Environment, _ = str("environment")
	cred.Description, _ = str("description")
	cred.JiraAssignee, _ = str("jira_assignee")
	cred.Runbook, _ = str("runbook")
	cred.LastTicket, _ = str("last_ticket")
	crit, _ := str("criticality")
	cred.Criticality = rotation.Criticality(crit)

	if owner, n := str("owner"); n != nil {
		cred.Owner = owner
		if !isEmailAddress(owner) {
			c.add(n, register.SeverityError, RuleOwnerEmail, fmt.Sprintf("owner %q is not an email address", owner), fieldHints["owner"])
		}
	}
	period, periodNode := integer("period_days")
	cred.PeriodDays = period
	if s, n := str("last_changed"); n != nil {
		if d, ok := c.date("last_changed", s, n); ok {
			cred.LastChanged = d
			if d.After(c.today) {
				c.add(n, register.SeverityError, RuleFutureDate,
					fmt.Sprintf("last_changed %s is in the future (today is %s, %s)", d, c.today, c.settings.Timezone),
					"set it to the day the credential was actually rotated")
			}
		}
	}
	notice, noticeNode := integer("notice_days")
	switch {
	case noticeNode != nil:
		cred.NoticeDays = notice
		if periodNode != nil && notice >= period {
			c.add(noticeNode, register.SeverityError, RuleNoticePeriod,
				fmt.Sprintf("notice_days (%d) must be less than period_days (%d)", notice, period),
				"with a notice window as long as the period, the ticket would open as soon as the credential is rotated; lower notice_days")
		}
	default:
		// The register default never reaches back past the last rotation.
		cred.NoticeDays = min(c.settings.NoticeDays, max(period-1, 0))
	}
	if _, ex := register.MapGet(m, "exemption"); ex != nil && ex.Kind == yaml.MappingNode {
		c.unknownFields(ex, exemptionFields, "an exemption")
		cred.Exemption = c.exemption(ptr+"/exemption", ex)
	}
	if idNode == nil {
		return entry{}, false
	}
	return entry{cred: cred, idPos: rotation.Position{File: c.path, Line: idNode.Line, Column: idNode.Column}}, true
}

func (c *fileChecker) exemption(ptr string, m *yaml.Node) *rotation.Exemption {
	ex := &rotation.Exemption{}
	get := func(field string) (string, *yaml.Node) {
		_, v := register.MapGet(m, field)
		if v == nil || v.Kind != yaml.ScalarNode || c.isBad(ptr, field) {
			return "", nil
		}
		return v.Value, v
	}
	ex.Reason, _ = get("reason")
	ex.ApprovedBy, _ = get("approved_by")
	s, n := get("until")
	if n == nil {
		return nil
	}
	d, ok := c.date("exemption.until", s, n)
	if !ok {
		return nil
	}
	ex.Until = d
	if d.Before(c.today) {
		c.add(n, register.SeverityWarning, RuleExpiredExemption,
			fmt.Sprintf("exemption ended on %s; the credential is tracked again", d),
			"remove the exemption block, or renew it with a new until date and approval")
	}
	return ex
}

// date parses a YYYY-MM-DD value and reports a date the calendar lacks.
func (c *fileChecker) date(field, s string, n *yaml.Node) (rotation.Date, bool) {
	d, err := rotation.ParseDate(s)
	if errors.Is(err, rotation.ErrBeforeMinDate) {
		c.add(n, register.SeverityError, RuleDate, fmt.Sprintf("%s: %s is %v", field, s, rotation.ErrBeforeMinDate),
			"write the real date of the last rotation; a placeholder date hides a credential that was never rotated")
		return rotation.Date{}, false
	}
	if err != nil {
		c.add(n, register.SeverityError, RuleDate, fmt.Sprintf("%s: %s", field, calendarProblem(s, err)),
			"use a real calendar date as YYYY-MM-DD")
		return rotation.Date{}, false
	}
	return d, true
}

// calendarProblem explains why s, which has the YYYY-MM-DD shape, is not a
// date: "2026-02-30 is not a calendar date: February 2026 has 28 days".
func calendarProblem(s string, err error) string {
	y, errY := strconv.Atoi(s[0:4])
	m, errM := strconv.Atoi(s[5:7])
	if errY != nil || errM != nil {
		return err.Error()
	}
	if m < 1 || m > 12 {
		return fmt.Sprintf("%s is not a calendar date: there is no month %02d", s, m)
	}
	month := time.Month(m)
	days := time.Date(y, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return fmt.Sprintf("%s is not a calendar date: %s %d has %d days", s, month, y, days)
}

func isEmailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}
