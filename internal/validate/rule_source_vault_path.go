package validate

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
)

// sourceVaultPathRule: a Vault KV version 2 source names the engine's
// mount and the secret's path under it, as `vault kv get -mount=secret
// payments/db` does. The HTTP API and the UI put data/ or metadata/
// between the two (secret/data/payments/db), and a path copied from there
// names another secret: rotor verify asks <mount>/metadata/<path>, which
// then reads metadata/data/payments/db and finds nothing. A warning, since
// a secret may truly live under a folder named data. Reported under
// RuleSource.
type sourceVaultPathRule struct{}

func (sourceVaultPathRule) name() string { return "source-vault-path" }

// kvAPISegments are the segments the KV version 2 API puts after the mount.
var kvAPISegments = []string{"data", "metadata"}

func (sourceVaultPathRule) checkCredential(c *fileChecker, d decoded) {
	src := d.cred.Source
	if src == nil || src.VaultKV == nil {
		return
	}
	_, kv := register.MapGet(d.source, "vault_kv")
	mount, path := strings.Trim(src.VaultKV.Mount, "/"), strings.Trim(src.VaultKV.Path, "/")
	for _, seg := range kvAPISegments {
		if m, ok := strings.CutSuffix(mount, "/"+seg); ok {
			warnVaultPath(c, kv, "mount", fmt.Sprintf("source.vault_kv.mount %q ends in /%s, which the KV API puts after the mount", mount, seg),
				fmt.Sprintf("give the mount alone, mount: %s, and the path under it without %s/", m, seg))
			return
		}
		if p, ok := strings.CutPrefix(path, seg+"/"); ok {
			warnVaultPath(c, kv, "path", fmt.Sprintf("source.vault_kv.path %q starts with %s/, which the KV API puts after the mount", path, seg),
				fmt.Sprintf("give the path under the mount without %s/, path: %s (as vault kv get -mount=%s %s reads it), unless the secret really lives under a folder named %s", seg, p, mount, p, seg))
			return
		}
	}
}

func warnVaultPath(c *fileChecker, kv *yaml.Node, field, msg, hint string) {
	if _, n := register.MapGet(kv, field); n != nil && n.Kind == yaml.ScalarNode {
		c.add(n, register.SeverityWarning, RuleSource, msg, hint)
	}
}
