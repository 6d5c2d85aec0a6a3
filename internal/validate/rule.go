package validate

import "github.com/rotor-dev/rotor/internal/register"

// The semantic rules: what rotor validate checks beyond the JSON Schema,
// once decode has read a file into credentials (decode.go) and the schema
// has said what it refuses (schema.go). The leak guard is not one of them:
// it reads every byte of every file, whether it parses or not
// (leakguard.go, valueguard.go).
//
// Each rule is a type of its own in rule_<name>.go, with a doc comment
// saying what it checks and why, and the id its findings carry next to it
// (unless it reports under a shared one such as RuleSchema). It implements
// rule and one or more of the hooks below, and is registered in rules. Its
// golden pair, testdata/rules/<name>.yaml (a register file that triggers
// it, with cases that must not) and <name>.out (the findings as rotor
// validate prints them), is held to the code by TestRuleGoldenPairs;
// `go test ./internal/validate -run TestRuleGoldenPairs -update` writes the
// .out for review. Adding a rule is one file and one pair.

// rule is a semantic rule. Its name names its file (rule_<name>.go, with
// underscores for dashes) and its golden pair.
type rule interface {
	name() string
}

// credentialRule checks each entry of a register file's credentials list,
// as decode read it, whether or not the entry has a usable id.
type credentialRule interface {
	rule
	checkCredential(c *fileChecker, d decoded)
}

// schemaRule words a value the schema refused better than the schema
// does. It reports the leaf and returns true when the leaf is its own; the
// schema's own message stands for a leaf no rule claims. Rules are asked
// in the order of rules, and the first to claim a leaf reports it.
type schemaRule interface {
	rule
	explainSchema(c *fileChecker, l schemaLeaf) bool
}

// registerRule checks the credentials of every file of the register
// together (ValidateFile: of its one file).
type registerRule interface {
	rule
	checkRegister(results []fileResult) []register.Finding
}

// settingsRule checks the values of rotor.yaml, as loadSettings read them.
type settingsRule interface {
	rule
	checkSettings(c *fileChecker, s decodedSettings)
}

// rules are the semantic rules, in the order their hooks run. The date
// rule comes before the control-character rule: a date with a control
// character in it is first of all not a date.
var rules = []rule{
	reservedIDRule{},
	ownerEmailRule{},
	dateRule{},
	numberRule{},
	controlCharacterRule{},
	futureDateRule{},
	noticePeriodRule{},
	expiredExemptionRule{},
	duplicateIDRule{},
	timezoneRule{},
	recipientEmailRule{},
	sourceStoreRule{},
	sourceFieldRule{},
	sourceRegionRule{},
	sourceEndpointRule{},
	sourceSecretFieldRule{},
	sourceVaultPathRule{},
}

// The rules by hook, in the order of rules.
var (
	credentialRules = hooks[credentialRule]()
	schemaRules     = hooks[schemaRule]()
	registerRules   = hooks[registerRule]()
	settingsRules   = hooks[settingsRule]()
)

func hooks[H rule]() []H {
	var hs []H
	for _, r := range rules {
		if h, ok := r.(H); ok {
			hs = append(hs, h)
		}
	}
	return hs
}

// checkRegister runs the rules that read every file together.
func checkRegister(results []fileResult) []register.Finding {
	var findings []register.Finding
	for _, r := range registerRules {
		findings = append(findings, r.checkRegister(results)...)
	}
	return findings
}
