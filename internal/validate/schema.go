package validate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
)

// RuleSchema reports what the JSON Schema refuses, and the rules that say
// a value has the wrong form in words of their own (reserved ids, control
// characters).
const RuleSchema = "schema"

// maxSchemaItems bounds the entries of one file that the full schema
// validator explains (see maxFindingsPerFile).
const maxSchemaItems = 100

// checkSchema checks a register file's value, built from root, against the
// credential schema: the quick check answers first, and the full validator
// runs only to explain what it refused.
func (c *fileChecker) checkSchema(root *yaml.Node, value any) {
	if c.v.quick == nil || !c.v.quick.valid(value) {
		c.explainSchema(root, value)
	}
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

// schemaLeaf is one thing the schema refused: the keyword that failed on
// the value at node, of the field named field.
type schemaLeaf struct {
	node    *yaml.Node
	ptr     string // the value's JSON pointer in the file
	field   string
	keyword string
}

// schemaFindings turns every leaf of a schema error into a positioned
// finding at the node the error is about, in the words of the first
// schemaRule that claims it, else in the schema's.
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
		if c.explainLeaf(schemaLeaf{node: node, ptr: e.InstanceLocation, field: field, keyword: keyword}) {
			continue
		}
		msg := e.Message
		if keyword == "pattern" {
			msg = fmt.Sprintf("%s does not have the expected form", quoteNode(node))
		}
		c.add(node, register.SeverityError, RuleSchema, field+": "+msg, fieldHints[field])
	}
}

// explainLeaf asks the schema rules to report l; false when none claims it.
func (c *fileChecker) explainLeaf(l schemaLeaf) bool {
	for _, r := range schemaRules {
		if r.explainSchema(c, l) {
			return true
		}
	}
	return false
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
	// rotor.yaml's verify: block
	"verify":             "a mapping: verify: {tolerance_days: 1, concurrency: 16, require_for_record: false}",
	"tolerance_days":     "a whole number of days from 0 to 30, e.g. 1",
	"concurrency":        "a whole number of secret stores asked at once, from 1 to 256, e.g. 16",
	"require_for_record": "true or false",
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
