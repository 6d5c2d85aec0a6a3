// Package schema embeds rotor's JSON Schemas, the single source of truth for
// the register's format.
package schema

import _ "embed"

// Credential is the JSON Schema of a register file (draft 2020-12).
//
//go:embed credential.schema.json
var Credential []byte

// Settings is the JSON Schema of rotor.yaml (draft 2020-12).
//
//go:embed settings.schema.json
var Settings []byte

// Schema ids, as they appear in the schemas' $id.
const (
	CredentialID = "https://github.com/rotor-dev/rotor/schema/credential.schema.json"
	SettingsID   = "https://github.com/rotor-dev/rotor/schema/settings.schema.json"
)
