package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// Decoding: a register file's YAML nodes into rotation.Credentials, with
// the nodes each value came from for the rules to point at. Decoding
// reports only what keeps it from reading a field: a field it does not
// know (with the closest known name as a hint). It reads what the schema
// let through and leaves a refused value unset, so that no rule reports
// it a second time; what is wrong with a value it reads is the rules' to
// say (rule.go).

// RuleUnknownField reports a field the register format does not have.
const RuleUnknownField = "unknown-field"

// Field names of the register format.
var (
	topFields        = []string{"credentials"}
	credentialFields = []string{
		"id", "name", "owner", "period_days", "last_changed", "team", "system", "environment",
		"description", "notice_days", "jira_assignee", "runbook", "criticality", "exemption", "last_ticket",
		"source",
	}
	exemptionFields = []string{"until", "reason", "approved_by"}
)

// decoded is an entry of the credentials list as decode read it: the
// credential, and the nodes its values were read from. A node is nil
// where the value is missing, is not a scalar, or failed the schema (which
// said so already). The credential rules get it by value, to read.
type decoded struct {
	cred *rotation.Credential

	id, owner, period, notice *yaml.Node
	// reserved: the id is one rotor keeps for itself
	// (rotation.ReservedID), and the credential is not tracked.
	reserved bool
	// lastChanged and until (of the exemption) are set when their text
	// passed the schema; the date was read when its error is nil
	// (rotation.ParseDate: a calendar date, from 1970 on).
	lastChanged, until       *yaml.Node
	lastChangedErr, untilErr error
	// source is the source: mapping as written (nil when there is none
	// or it is no mapping), for the rules that read its nodes; the
	// credential's Source is set only when it names one store and the
	// schema refused nothing in it.
	source *yaml.Node
}

// decodeCredential reads entry i of the credentials list. ok is false when
// the entry is no credential rotor can track: its id is missing, failed the
// schema or is reserved.
func (c *fileChecker) decodeCredential(i int, m *yaml.Node) (d decoded, ok bool) {
	c.unknownFields(m, credentialFields, "a credential")
	cred := &rotation.Credential{Pos: rotation.Position{File: c.path, Line: m.Line, Column: m.Column}}
	d.cred = cred
	var ptr string // built only when the schema found something
	if c.bad != nil {
		ptr = "/credentials/" + strconv.Itoa(i)
	}
	str := func(field string) (string, *yaml.Node) { return c.scalar(m, ptr, field) }
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

	cred.ID, d.id = str("id")
	d.reserved = d.id != nil && rotation.ReservedID(cred.ID)
	cred.Name, _ = str("name")
	cred.Owner, d.owner = str("owner")
	cred.Team, _ = str("team")
	cred.System, _ = str("system")
	cred.Environment, _ = str("environment")
	cred.Description, _ = str("description")
	cred.JiraAssignee, _ = str("jira_assignee")
	cred.Runbook, _ = str("runbook")
	cred.LastTicket, _ = str("last_ticket")
	crit, _ := str("criticality")
	cred.Criticality = rotation.Criticality(crit)
	cred.PeriodDays, d.period = integer("period_days")
	if s, n := str("last_changed"); n != nil {
		d.lastChanged = n
		cred.LastChanged, d.lastChangedErr = rotation.ParseDate(s)
	}
	if notice, n := integer("notice_days"); n != nil {
		cred.NoticeDays, d.notice = notice, n
	} else {
		// The register default never reaches back past the last rotation.
		cred.NoticeDays = min(c.settings.NoticeDays, max(cred.PeriodDays-1, 0))
	}
	if _, ex := register.MapGet(m, "exemption"); ex != nil && ex.Kind == yaml.MappingNode {
		c.unknownFields(ex, exemptionFields, "an exemption")
		cred.Exemption = c.decodeExemption(ptr+"/exemption", ex, &d)
	}
	if _, src := register.MapGet(m, "source"); src != nil && src.Kind == yaml.MappingNode {
		cred.Source = c.decodeSource(ptr+"/source", src, &d)
	}
	return d, d.id != nil && !d.reserved
}

// decodeExemption reads an exemption block; nil when it has no date until
// which it holds.
func (c *fileChecker) decodeExemption(ptr string, m *yaml.Node, d *decoded) *rotation.Exemption {
	ex := &rotation.Exemption{}
	ex.Reason, _ = c.scalar(m, ptr, "reason")
	ex.ApprovedBy, _ = c.scalar(m, ptr, "approved_by")
	s, n := c.scalar(m, ptr, "until")
	if n == nil {
		return nil
	}
	d.until = n
	if ex.Until, d.untilErr = rotation.ParseDate(s); d.untilErr != nil {
		return nil
	}
	return ex
}

// RuleSource reports a source: that rotor verify could not use, or that
// would hold what the register must never hold (rule_source_*.go).
const RuleSource = "source"

// sourceKindNames are the keys of a source: mapping, one a store.
var sourceKindNames = func() []string {
	names := make([]string, len(rotation.SourceKinds))
	for i, k := range rotation.SourceKinds {
		names[i] = string(k)
	}
	return names
}()

// sourceFields are the fields of each store, required ones first.
var sourceFields = map[rotation.SourceKind][]string{
	rotation.SourceAWSSecretsManager: {"secret", "region"},
	rotation.SourceAWSIAMAccessKey:   {"user", "access_key_id"},
	rotation.SourceVaultKV:           {"mount", "path"},
	rotation.SourceTLS:               {"endpoint", "server_name"},
	rotation.SourceAzureKeyVault:     {"vault", "secret"},
}

// decodeSource reads a source: mapping, m, at JSON pointer ptr. It
// reports the fields it does not know, except those that would hold a
// secret (the source-secret-field rule refuses them in words of their
// own). It returns nil unless m names exactly one store, with every
// required field, and the schema refused nothing in it.
func (c *fileChecker) decodeSource(ptr string, m *yaml.Node, d *decoded) *rotation.Source {
	d.source = m
	c.unknownFieldsExcept(m, sourceKindNames, "a source", isSecretFieldName)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if fields, ok := sourceFields[rotation.SourceKind(k.Value)]; ok && v.Kind == yaml.MappingNode {
			c.unknownFieldsExcept(v, fields, "source."+k.Value, isSecretFieldName)
		}
	}
	if len(m.Content) != 2 || m.Content[1].Kind != yaml.MappingNode || c.badUnder(ptr) {
		return nil
	}
	kind, v := rotation.SourceKind(m.Content[0].Value), m.Content[1]
	fields, ok := sourceFields[kind]
	if !ok {
		return nil
	}
	vals := make(map[string]string, len(fields))
	for _, f := range fields {
		vals[f], _ = c.scalar(v, ptr+"/"+string(kind), f)
	}
	src := &rotation.Source{Pos: rotation.Position{File: c.path, Line: m.Line, Column: m.Column}}
	required := 1
	switch kind {
	case rotation.SourceAWSSecretsManager:
		src.AWSSecretsManager = &rotation.AWSSecretsManagerSource{Secret: vals["secret"], Region: vals["region"]}
	case rotation.SourceAWSIAMAccessKey:
		src.AWSIAMAccessKey = &rotation.AWSIAMAccessKeySource{User: vals["user"], AccessKeyID: vals["access_key_id"]}
	case rotation.SourceVaultKV:
		src.VaultKV = &rotation.VaultKVSource{Mount: vals["mount"], Path: vals["path"]}
		required = 2
	case rotation.SourceTLS:
		src.TLS = &rotation.TLSSource{Endpoint: vals["endpoint"], ServerName: vals["server_name"]}
	case rotation.SourceAzureKeyVault:
		src.AzureKeyVault = &rotation.AzureKeyVaultSource{Vault: vals["vault"], Secret: vals["secret"]}
		required = 2
	}
	for _, f := range fields[:required] {
		if vals[f] == "" {
			return nil
		}
	}
	return src
}

// sourcePointer splits a JSON pointer into a credential's source, as
// /credentials/<i>/source[/<kind>[/<field>]]: ok is false when it points
// elsewhere or deeper.
func sourcePointer(ptr string) (kind, field string, ok bool) {
	rest, ok := strings.CutPrefix(ptr, "/credentials/")
	if !ok {
		return "", "", false
	}
	segs := strings.Split(rest, "/")
	if len(segs) < 2 || len(segs) > 4 || segs[1] != "source" {
		return "", "", false
	}
	if _, err := strconv.Atoi(segs[0]); err != nil {
		return "", "", false
	}
	if len(segs) > 2 {
		kind = segs[2]
	}
	if len(segs) > 3 {
		field = segs[3]
	}
	return kind, field, true
}

// badUnder reports whether the schema refused the value at ptr or any
// value inside it.
func (c *fileChecker) badUnder(ptr string) bool {
	for p := range c.bad {
		if p == ptr || strings.HasPrefix(p, ptr+"/") {
			return true
		}
	}
	return false
}

// scalar returns the value of field in mapping m, at JSON pointer ptr, and
// its node; nil when it is missing, not a scalar or failed the schema.
func (c *fileChecker) scalar(m *yaml.Node, ptr, field string) (string, *yaml.Node) {
	_, v := register.MapGet(m, field)
	if v == nil || v.Kind != yaml.ScalarNode || c.isBad(ptr, field) {
		return "", nil
	}
	return v.Value, v
}

// isBad reports whether the value at ptr/field failed the schema.
func (c *fileChecker) isBad(ptr, field string) bool {
	return c.bad != nil && c.bad[ptr+"/"+field]
}

// unknownFields reports keys of mapping m that are not in known, with the
// closest known name as a hint.
func (c *fileChecker) unknownFields(m *yaml.Node, known []string, where string) {
	c.unknownFieldsExcept(m, known, where, nil)
}

// unknownFieldsExcept is unknownFields for the keys that skip (when not
// nil) leaves to another rule.
func (c *fileChecker) unknownFieldsExcept(m *yaml.Node, known []string, where string, skip func(string) bool) {
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if slices.Contains(known, k.Value) || skip != nil && skip(k.Value) {
			continue
		}
		hint := fmt.Sprintf("the fields allowed here are: %s", strings.Join(known, ", "))
		if s := textsafe.Suggest(k.Value, known); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		c.add(k, register.SeverityError, RuleUnknownField, fmt.Sprintf("unknown field %q in %s", k.Value, where), hint)
	}
}
