package validate

import (
	"fmt"
	"strings"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// sourceStoreRule: a source: names exactly one store, as a mapping of
// that store's fields. A credential's secret lives in one place, and
// rotor verify asks that one. The schema says so with minProperties,
// maxProperties and type; this rule says it in words, naming the stores
// given. Keys that are no store are left to unknown-field and
// source-secret-field, which say what is wrong with them.
type sourceStoreRule struct{}

func (sourceStoreRule) name() string { return "source-store" }

const sourceStoreHint = "give one of aws_secrets_manager, aws_iam_access_key, vault_kv, tls, azure_key_vault, " +
	"e.g. source: {vault_kv: {mount: secret, path: payments/db-admin}} (template.yaml shows each)"

func (sourceStoreRule) explainSchema(c *fileChecker, l schemaLeaf) bool {
	kind, field, ok := sourcePointer(l.ptr)
	if !ok || field != "" {
		return false
	}
	switch {
	case kind == "" && l.keyword == "maxProperties":
		var stores []string
		for i := 0; i+1 < len(l.node.Content); i += 2 {
			if k := l.node.Content[i].Value; sourceFields[rotation.SourceKind(k)] != nil {
				stores = append(stores, k)
			}
		}
		if len(stores) > 1 {
			c.add(l.node, register.SeverityError, RuleSource,
				fmt.Sprintf("source names %d stores, %s: it must name exactly one", len(stores), strings.Join(stores, " and ")),
				"keep the store the secret lives in; a credential stored twice is two credentials, each with its own entry")
		}
		return true // other keys: reported as unknown or secret fields
	case kind == "" && l.keyword == "minProperties":
		c.add(l.node, register.SeverityError, RuleSource, "source names no store: it must name exactly one", sourceStoreHint)
		return true
	case kind == "" && l.keyword == "type":
		c.add(l.node, register.SeverityError, RuleSource, "source must be a mapping that names exactly one store", sourceStoreHint)
		return true
	case kind != "" && l.keyword == "type":
		fields, known := sourceFields[rotation.SourceKind(kind)]
		if !known {
			return false
		}
		c.add(l.node, register.SeverityError, RuleSource,
			fmt.Sprintf("source.%s must be a mapping of its fields (%s)", kind, strings.Join(fields, ", ")),
			fmt.Sprintf("write e.g. %s: {%s: ...}", kind, fields[0]))
		return true
	}
	return false
}
