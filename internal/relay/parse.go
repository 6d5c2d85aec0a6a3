package relay

import (
	"bytes"
)

// parseEvent reads a Jira event in one pass. It accepts exactly the bodies
// json.Unmarshal accepts into a jiraEvent and fills the event exactly as
// json.Unmarshal would: keys match case-insensitively, null leaves a value
// alone and clears a pointer or slice, a repeated key decodes over the
// earlier one, and a value of the wrong type is an error. It only costs a
// fraction of the reflection-driven decoder, which matters because the
// relay may receive every issue update of a Jira site and drops most of
// them: BenchmarkParseEvent measured 5.4 µs, 504 B and 19 allocations for
// a 1.5 kB issue update against encoding/json's 22 µs, 1.7 kB and 37
// (best of three, 2 cores). If a later Go's encoding/json closes that gap,
// drop this decoder and jsonscan.go for json.Unmarshal: the fuzz target
// FuzzParseEventMatchesEncodingJSON, which holds it to encoding/json,
// says they decode alike. The scanner itself is in jsonscan.go; this file
// holds only the fields of Jira's event.
func parseEvent(b []byte) (*jiraEvent, error) {
	p := parser{b: b}
	ev := &jiraEvent{}
	p.ws()
	switch p.peek() {
	case '{':
		if err := p.object(func(k []byte) error { return p.eventField(ev, k) }); err != nil {
			return nil, err
		}
	case 'n':
		if err := p.literal("null"); err != nil {
			return nil, err
		}
	default:
		p.mistyped("body")
		if err := p.skip(); err != nil {
			return nil, err
		}
	}
	p.ws()
	if p.i < len(p.b) {
		return nil, p.syntax("after the top-level value")
	}
	if p.typeErr != nil {
		return nil, p.typeErr
	}
	return ev, nil
}

func keyIs(k []byte, name string) bool { return bytes.EqualFold(k, []byte(name)) }

func (p *parser) eventField(ev *jiraEvent, k []byte) error {
	switch {
	case keyIs(k, "timestamp"):
		var s flexString
		if err := p.flex(&s, "timestamp"); err != nil {
			return err
		}
		ev.Timestamp.set(s)
		return nil
	case keyIs(k, "webhookEvent"):
		return p.str(&ev.WebhookEvent, "webhookEvent")
	case keyIs(k, "issue"):
		switch p.peek() {
		case '{':
			if ev.Issue == nil {
				ev.Issue = &jiraIssue{}
			}
			return p.object(func(k []byte) error { return p.issueField(ev.Issue, k) })
		case 'n':
			ev.Issue = nil
			return p.literal("null")
		}
		return p.skipMistyped("issue")
	case keyIs(k, "changelog"):
		switch p.peek() {
		case '{':
			if ev.Changelog == nil {
				ev.Changelog = &jiraChangelog{}
			}
			return p.object(func(k []byte) error { return p.changelogField(ev.Changelog, k) })
		case 'n':
			ev.Changelog = nil
			return p.literal("null")
		}
		return p.skipMistyped("changelog")
	}
	return p.skip()
}

func (p *parser) issueField(is *jiraIssue, k []byte) error {
	switch {
	case keyIs(k, "id"):
		return p.flex(&is.ID, "issue.id")
	case keyIs(k, "key"):
		return p.str(&is.Key, "issue.key")
	case keyIs(k, "fields"):
		return p.obj("issue.fields", func(k []byte) error { return p.fieldsField(&is.Fields, k) })
	}
	return p.skip()
}

func (p *parser) fieldsField(f *jiraFields, k []byte) error {
	switch {
	case keyIs(k, "labels"):
		return p.strings(&f.Labels, "issue.fields.labels")
	case keyIs(k, "statuscategorychangedate"):
		return p.str(&f.StatusCategoryChangeDate, "issue.fields.statuscategorychangedate")
	case keyIs(k, "resolutiondate"):
		return p.str(&f.ResolutionDate, "issue.fields.resolutiondate")
	case keyIs(k, "status"):
		switch p.peek() {
		case '{':
			if f.Status == nil {
				f.Status = &jiraStatus{}
			}
			return p.object(func(k []byte) error { return p.statusField(f.Status, k) })
		case 'n':
			f.Status = nil
			return p.literal("null")
		}
		return p.skipMistyped("issue.fields.status")
	}
	return p.skip()
}

func (p *parser) statusField(st *jiraStatus, k []byte) error {
	switch {
	case keyIs(k, "id"):
		return p.flex(&st.ID, "issue.fields.status.id")
	case keyIs(k, "name"):
		return p.str(&st.Name, "issue.fields.status.name")
	case keyIs(k, "statusCategory"):
		return p.obj("issue.fields.status.statusCategory", func(k []byte) error {
			if keyIs(k, "key") {
				return p.str(&st.StatusCategory.Key, "issue.fields.status.statusCategory.key")
			}
			return p.skip()
		})
	}
	return p.skip()
}

func (p *parser) changelogField(c *jiraChangelog, k []byte) error {
	if !keyIs(k, "items") {
		return p.skip()
	}
	switch p.peek() {
	case '[':
		s := c.Items
		n, err := p.array(func(i int) error {
			if i == cap(s) {
				s = append(s[:i], jiraChange{})
			} else {
				s = s[:i+1]
			}
			return p.obj("changelog.items", func(k []byte) error { return p.changeField(&s[i], k) })
		})
		if err != nil {
			return err
		}
		if n == 0 {
			c.Items = []jiraChange{}
		} else {
			c.Items = s[:n]
		}
		return nil
	case 'n':
		c.Items = nil
		return p.literal("null")
	}
	return p.skipMistyped("changelog.items")
}

func (p *parser) changeField(ch *jiraChange, k []byte) error {
	switch {
	case keyIs(k, "field"):
		return p.str(&ch.Field, "changelog.items.field")
	case keyIs(k, "fieldId"):
		return p.str(&ch.FieldID, "changelog.items.fieldId")
	case keyIs(k, "to"):
		return p.flex(&ch.To, "changelog.items.to")
	case keyIs(k, "toString"):
		return p.str(&ch.ToString, "changelog.items.toString")
	}
	return p.skip()
}
