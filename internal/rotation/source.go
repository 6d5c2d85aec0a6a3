package rotation

import "strings"

// SourceKind names a kind of secret store rotor verify can ask.
type SourceKind string

// The secret stores a credential's source can name: the keys of the
// register's source: mapping.
const (
	SourceAWSSecretsManager SourceKind = "aws_secrets_manager"
	SourceAWSIAMAccessKey   SourceKind = "aws_iam_access_key"
	SourceVaultKV           SourceKind = "vault_kv"
	SourceTLS               SourceKind = "tls"
	SourceAzureKeyVault     SourceKind = "azure_key_vault"
)

// SourceKinds lists every kind, in the order the docs give them.
var SourceKinds = []SourceKind{
	SourceAWSSecretsManager, SourceAWSIAMAccessKey, SourceVaultKV, SourceTLS, SourceAzureKeyVault,
}

// Source names where a credential's secret lives. It holds identifiers only
// (an ARN, a user name, a path, an endpoint), never secret material; exactly
// one of its pointers is set.
type Source struct {
	AWSSecretsManager *AWSSecretsManagerSource
	AWSIAMAccessKey   *AWSIAMAccessKeySource
	VaultKV           *VaultKVSource
	TLS               *TLSSource
	AzureKeyVault     *AzureKeyVaultSource

	Pos Position // where the source: mapping starts
}

// AWSSecretsManagerSource is a secret in AWS Secrets Manager.
type AWSSecretsManagerSource struct {
	Secret string // an ARN, or a name (then Region, or the SDK's default region, says where)
	Region string // optional; an ARN carries its own
}

// AWSIAMAccessKeySource is an IAM user's access key.
type AWSIAMAccessKeySource struct {
	User        string
	AccessKeyID string // optional: the key the register tracks (AKIA…, an identifier, not a secret)
}

// VaultKVSource is a secret in a HashiCorp Vault KV version 2 engine.
type VaultKVSource struct {
	Mount string // the engine's mount, e.g. "secret"
	Path  string // the secret's path under the mount
}

// TLSSource is a TLS endpoint whose leaf certificate is the credential.
type TLSSource struct {
	Endpoint   string // host:port
	ServerName string // optional SNI and verification name; default the endpoint's host
}

// AzureKeyVaultSource is a secret in Azure Key Vault.
type AzureKeyVaultSource struct {
	Vault  string // the vault URL, https://NAME.vault.azure.net
	Secret string // the secret's name
}

// Kind is the kind of store s names, or "" when none is set.
func (s *Source) Kind() SourceKind {
	switch {
	case s == nil:
		return ""
	case s.AWSSecretsManager != nil:
		return SourceAWSSecretsManager
	case s.AWSIAMAccessKey != nil:
		return SourceAWSIAMAccessKey
	case s.VaultKV != nil:
		return SourceVaultKV
	case s.TLS != nil:
		return SourceTLS
	case s.AzureKeyVault != nil:
		return SourceAzureKeyVault
	}
	return ""
}

// String names the source in one line for people and JSON:
// "aws_secrets_manager payments/db (eu-west-1)", "vault_kv secret/payments/db".
// It holds identifiers only.
func (s *Source) String() string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(string(s.Kind()))
	switch {
	case s.AWSSecretsManager != nil:
		b.WriteString(" " + s.AWSSecretsManager.Secret)
		if s.AWSSecretsManager.Region != "" {
			b.WriteString(" (" + s.AWSSecretsManager.Region + ")")
		}
	case s.AWSIAMAccessKey != nil:
		b.WriteString(" user " + s.AWSIAMAccessKey.User)
		if s.AWSIAMAccessKey.AccessKeyID != "" {
			b.WriteString(" key " + s.AWSIAMAccessKey.AccessKeyID)
		}
	case s.VaultKV != nil:
		b.WriteString(" " + strings.Trim(s.VaultKV.Mount, "/") + "/" + strings.Trim(s.VaultKV.Path, "/"))
	case s.TLS != nil:
		b.WriteString(" " + s.TLS.Endpoint)
		if s.TLS.ServerName != "" {
			b.WriteString(" (" + s.TLS.ServerName + ")")
		}
	case s.AzureKeyVault != nil:
		b.WriteString(" " + strings.TrimSuffix(s.AzureKeyVault.Vault, "/") + "/secrets/" + s.AzureKeyVault.Secret)
	}
	return b.String()
}
