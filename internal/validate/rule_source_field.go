package validate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/register"
)

// sourceFieldRule: each field of a source has the form its store gives
// it (an ARN or a secret name, a region, an IAM user name, an access key
// id, a Vault path without "..", a host:port, a DNS name, an https Key
// Vault URL, a Key Vault secret name), so that rotor verify asks for
// the very thing the register names. The schema's patterns say so; this
// rule names the store and the field, and shows the form. Reported
// under RuleSource.
type sourceFieldRule struct{}

func (sourceFieldRule) name() string { return "source-field" }

// sourceFieldForms say, per store and field, what the value must be and
// how to write it.
var sourceFieldForms = map[string]struct{ what, hint string }{
	"aws_secrets_manager/secret": {"a Secrets Manager secret's ARN or name",
		"an ARN such as arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/db-AbCdEf, or a name of letters, digits and /_+=.@- such as payments/db; for a secret AWS named itself (rds!db-...), give its ARN"},
	"aws_secrets_manager/region": {"an AWS region", "a region code such as eu-west-1 or us-gov-west-1"},
	"aws_iam_access_key/user": {"an IAM user name",
		"the user's name, 1 to 64 letters, digits and +=,.@_-, e.g. ci-deployer; not its ARN or path"},
	"aws_iam_access_key/access_key_id": {"an access key id",
		"the key's id as the IAM console shows it: AKIA and 16 upper-case letters and digits; never the secret access key"},
	"vault_kv/mount": {"a Vault mount", "the KV engine's mount, e.g. secret; no '..', no blank at either end"},
	"vault_kv/path": {"a Vault secret path",
		"the path under the mount, without data/, e.g. payments/db-admin; no '..', no blank at either end"},
	"tls/endpoint": {"a host:port",
		"a host name or IPv4 address and a port from 1 to 65535, e.g. api.example.com:443, an IPv6 address in brackets, e.g. [2001:db8::1]:443; no scheme, no path"},
	"tls/server_name":        {"a DNS name", "the name the certificate is for, e.g. api.example.com, without a port"},
	"azure_key_vault/vault":  {"a Key Vault URL", "the vault's https URL, e.g. https://acme.vault.azure.net"},
	"azure_key_vault/secret": {"a Key Vault secret name", "1 to 127 letters, digits and dashes, e.g. db-admin"},
}

func (sourceFieldRule) explainSchema(c *fileChecker, l schemaLeaf) bool {
	kind, field, ok := sourcePointer(l.ptr)
	if !ok || field == "" {
		return false
	}
	form, ok := sourceFieldForms[kind+"/"+field]
	if !ok {
		return false
	}
	if l.node.Kind == yaml.ScalarNode && strings.Contains(l.node.Value, leak.Redacted) {
		return true // the leak guard took a secret out of it, and said so
	}
	c.add(l.node, register.SeverityError, RuleSource,
		fmt.Sprintf("source.%s.%s: %s is not %s", kind, field, quoteNode(l.node), form.what), form.hint)
	return true
}
