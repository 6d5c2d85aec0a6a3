package validate

import (
	"fmt"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// RuleDuplicateID reports an id used by more than one credential.
const RuleDuplicateID = "duplicate-id"

// duplicateIDRule: an id names one credential in the whole register, as
// it names its ticket (rotor-<id>) and its history. Every repeat names
// the first place the id was defined, and the first place names the
// second, so that either file's reviewer sees the clash.
type duplicateIDRule struct{}

func (duplicateIDRule) name() string { return RuleDuplicateID }

func (duplicateIDRule) checkRegister(results []fileResult) []register.Finding {
	type place struct {
		pos   rotation.Position
		count int
	}
	first := map[string]*place{}
	var findings []register.Finding
	for _, fr := range results {
		for _, e := range fr.entries {
			id := e.cred.ID
			if id == "" {
				continue
			}
			p, ok := first[id]
			if !ok {
				first[id] = &place{pos: e.idPos}
				continue
			}
			p.count++
			findings = append(findings, register.Finding{
				File: e.idPos.File, Line: e.idPos.Line, Column: e.idPos.Column,
				Severity: register.SeverityError, Rule: RuleDuplicateID,
				Message: fmt.Sprintf("duplicate id %q: already defined at %s", id, posString(p.pos)),
				Hint:    "ids must be unique across the register; rename one of them or remove the copy",
			})
			if p.count == 1 {
				findings = append(findings, register.Finding{
					File: p.pos.File, Line: p.pos.Line, Column: p.pos.Column,
					Severity: register.SeverityError, Rule: RuleDuplicateID,
					Message: fmt.Sprintf("duplicate id %q: defined again at %s", id, posString(e.idPos)),
					Hint:    "ids must be unique across the register; rename one of them or remove the copy",
				})
			}
		}
	}
	return findings
}

func posString(p rotation.Position) string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column) }
