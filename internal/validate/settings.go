package validate

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// RuleSettings reports a value of rotor.yaml that the schema lets through
// and rotor cannot use (rule_timezone.go, rule_recipient_email.go).
const RuleSettings = "settings"

var (
	settingsFields = []string{"notice_days", "timezone", "jira", "report", "verify"}
	jiraFields     = []string{"project", "issue_type", "overdue_priority", "fields"}
	fieldsFields   = []string{"credential_name", "next_due_date", "contact_person"}
	reportFields   = []string{"recipients", "target_percent"}
	verifyFields   = []string{"tolerance_days", "concurrency", "require_for_record"}
)

// decodedSettings is rotor.yaml as loadSettings read it, with the nodes
// the settings rules point at.
type decodedSettings struct {
	timezone *yaml.Node // nil when not set or refused by the schema
	zoneErr  error      // why timezone names no zone rotor reads
	// recipients are the report's recipients as written; only email
	// addresses are in Settings.Report.Recipients.
	recipients []*yaml.Node
}

// loadSettings reads rotor.yaml. A register without one gets the defaults.
// Problems in the file are findings; the defaults then stand in for the
// values that could not be read.
func (v *Validator) loadSettings(path string) (rotation.Settings, []register.Finding, error) {
	s := rotation.DefaultSettings()
	ok, err := fileExists(path)
	if err != nil || !ok {
		return s, nil, err
	}
	s.File = path
	data, findings, err := register.ReadBytes(path)
	if err != nil || data == nil {
		return s, findings, err
	}
	c := fileChecker{v: v, settings: &s, path: path}
	doc, findings := register.Parse(path, data)
	c.findings = findings
	secrets := c.scanLeaks(data, doc)
	if doc == nil {
		redact(c.findings, secrets)
		return s, c.findings, nil
	}
	value := register.Value(doc.Root, nil)
	if err := v.settings.Validate(value); err != nil {
		c.schemaFindings(doc.Root, "", err)
	}
	c.unknownFields(doc.Root, settingsFields, "rotor.yaml")
	_, jira := register.MapGet(doc.Root, "jira")
	c.unknownFields(jira, jiraFields, "the jira settings")
	_, fields := register.MapGet(jira, "fields")
	c.unknownFields(fields, fieldsFields, "jira.fields")
	_, report := register.MapGet(doc.Root, "report")
	c.unknownFields(report, reportFields, "the report settings")

	str := func(m *yaml.Node, key string) (string, *yaml.Node) {
		_, n := register.MapGet(m, key)
		if n == nil || n.Kind != yaml.ScalarNode {
			return "", nil
		}
		return n.Value, n
	}
	if v, n := str(doc.Root, "notice_days"); n != nil && !c.bad["/notice_days"] {
		if days, ok := register.PlainInt(v); ok {
			s.NoticeDays = days
		}
	}
	var d decodedSettings
	if v, n := str(doc.Root, "timezone"); n != nil && !c.bad["/timezone"] {
		d.timezone = n
		if loc, err := loadIANAZone(v); err != nil {
			d.zoneErr = err
		} else {
			s.Timezone = loc
		}
	}
	s.Jira.Project, _ = str(jira, "project")
	if it, n := str(jira, "issue_type"); n != nil {
		s.Jira.IssueType = it
	}
	s.Jira.OverduePriority, _ = str(jira, "overdue_priority")
	s.Jira.Fields.CredentialName, _ = str(fields, "credential_name")
	s.Jira.Fields.NextDueDate, _ = str(fields, "next_due_date")
	s.Jira.Fields.ContactPerson, _ = str(fields, "contact_person")
	if v, n := str(report, "target_percent"); n != nil && !c.bad["/report/target_percent"] {
		if p, ok := register.PlainInt(v); ok {
			s.Report.TargetPercent = p
		}
	}
	if _, r := register.MapGet(report, "recipients"); r != nil && r.Kind == yaml.SequenceNode {
		for _, item := range r.Content {
			if item.Kind != yaml.ScalarNode {
				continue
			}
			d.recipients = append(d.recipients, item)
			if isEmailAddress(item.Value) {
				s.Report.Recipients = append(s.Report.Recipients, item.Value)
			}
		}
	}
	s.Verify = c.decodeVerify(doc.Root, s.Verify)
	for _, r := range settingsRules {
		r.checkSettings(&c, d)
	}
	redact(c.findings, secrets)
	return s, c.findings, nil
}

// decodeVerify reads rotor.yaml's verify: block (under root) over the
// defaults in v; a value the schema refused leaves its default.
func (c *fileChecker) decodeVerify(root *yaml.Node, v rotation.VerifySettings) rotation.VerifySettings {
	_, m := register.MapGet(root, "verify")
	if m == nil || m.Kind != yaml.MappingNode {
		return v
	}
	c.unknownFields(m, verifyFields, "the verify settings")
	integer := func(field string, into *int) {
		if _, n := register.MapGet(m, field); n != nil && n.Kind == yaml.ScalarNode && !c.bad["/verify/"+field] {
			if i, ok := register.PlainInt(n.Value); ok {
				*into = i
			}
		}
	}
	integer("tolerance_days", &v.ToleranceDays)
	integer("concurrency", &v.Concurrency)
	if _, n := register.MapGet(m, "require_for_record"); n != nil && !c.bad["/verify/require_for_record"] {
		if b, ok := register.Value(n, nil).(bool); ok {
			v.RequireForRecord = b
		}
	}
	return v
}

// loadIANAZone loads a time zone by its IANA name. "Local" (and "", which
// LoadLocation reads as UTC) are refused: today would then depend on the
// machine rotor runs on, not on the reviewed settings.
func loadIANAZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "Local") {
		return nil, fmt.Errorf("%q is not an IANA time zone name", name)
	}
	return time.LoadLocation(name)
}
