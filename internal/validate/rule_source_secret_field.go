package validate

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
)

// sourceSecretFieldRule: a source names where a secret lives and never
// holds the secret. A field inside source: whose name says it would hold
// one (secret_access_key, password, token, private_key, client_secret,
// api_key, value, at any depth) is refused, whatever its value, even a
// placeholder: the field invites the secret in. The leak guard still
// reads its value, and reports a secret there as a leak. A known field
// (secret: of aws_secrets_manager and azure_key_vault names a secret) is
// never refused, and neither is the misspelling of one (accessKeyId),
// which is an unknown field with a suggestion. Reported under RuleSource.
type sourceSecretFieldRule struct{}

func (sourceSecretFieldRule) name() string { return "source-secret-field" }

func (sourceSecretFieldRule) checkCredential(c *fileChecker, d decoded) {
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i]; k.Kind == yaml.ScalarNode && isSecretFieldName(k.Value) {
					c.add(k, register.SeverityError, RuleSource,
						fmt.Sprintf("source field %q would hold a secret: a secret must never be in the register", k.Value),
						"remove the field, and rotate the secret if a value was ever committed; a source names where the secret lives "+
							"(an ARN, a user, a path, an endpoint), and rotor verify reads only the store's metadata")
				}
			}
		}
		for _, child := range n.Content {
			walk(child)
		}
	}
	if d.source != nil {
		walk(d.source)
	}
}

// secretFieldWords are parts of a field name that says it holds a
// secret, compared without case, '_', '-' and '.'.
var secretFieldWords = []string{
	"secret", "password", "passwd", "passphrase", "pwd", "token", "privatekey", "apikey",
	"accesskey", "credential", "clientkey",
}

// secretFieldNames are whole field names that hold a secret.
var secretFieldNames = []string{"key", "value", "pin", "data"}

// sourceFieldNames are every name a source knows, compared as
// secretFieldWords are: the stores and their fields.
var sourceFieldNames = func() []string {
	var names []string
	for _, k := range sourceKindNames {
		names = append(names, squashFieldName(k))
	}
	for _, fs := range sourceFields {
		for _, f := range fs {
			names = append(names, squashFieldName(f))
		}
	}
	return names
}()

// isSecretFieldName reports whether name, a key inside source:, names a
// field that would hold a secret.
func isSecretFieldName(name string) bool {
	s := squashFieldName(name)
	if slices.Contains(sourceFieldNames, s) {
		return false
	}
	if slices.Contains(secretFieldNames, s) {
		return true
	}
	for _, w := range secretFieldWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// squashFieldName lower-cases name and drops '_', '-' and '.':
// secret_access_key, SecretAccessKey and secret-access-key read the same.
func squashFieldName(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.':
			return -1
		}
		return r
	}, strings.ToLower(name))
}
