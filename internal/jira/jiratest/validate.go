package jiratest

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// adfMessage is Jira's answer to a rich-text field that is not an
// Atlassian Document.
const adfMessage = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"

func cannotSet(name string) string {
	return fmt.Sprintf("Field '%s' cannot be set. It is not on the appropriate screen, or unknown.", name)
}

// apply validates an IssueUpdateDetails body ({"fields":{...},
// "update":{...}}) and applies it to is. It returns Jira's field errors;
// is is left half-changed when there are any. The caller holds mu.
func (s *Server) apply(is *Issue, body map[string]any, create bool) map[string]string {
	errs := map[string]string{}
	fields := map[string]any{}
	if v, ok := body["fields"]; ok {
		if fields, ok = v.(map[string]any); !ok {
			errs["fields"] = "fields must be an object"
			return errs
		}
	}
	update := map[string]any{}
	if v, ok := body["update"]; ok {
		if update, ok = v.(map[string]any); !ok {
			errs["update"] = "update must be an object"
			return errs
		}
	}
	if create {
		s.setProjectAndType(is, fields, errs)
		if len(errs) > 0 {
			return errs
		}
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if create && (name == "project" || name == "issuetype") {
			continue
		}
		if _, both := update[name]; both {
			errs[name] = fmt.Sprintf("Field '%s' cannot be set in both fields and update.", name)
			continue
		}
		s.setField(is, name, fields[name], errs, create)
	}
	for name, v := range update {
		ops, ok := v.([]any)
		if !ok {
			errs[name] = "Operations must be a list."
			continue
		}
		for _, o := range ops {
			op, ok := o.(map[string]any)
			if !ok || len(op) != 1 {
				errs[name] = "Each operation must be an object with one of add, set, remove."
				break
			}
			s.applyOp(is, name, op, errs, create)
		}
	}
	if create && strings.TrimSpace(is.Summary) == "" && errs["summary"] == "" {
		errs["summary"] = "You must specify a summary of the issue."
	}
	return errs
}

func (s *Server) setProjectAndType(is *Issue, fields map[string]any, errs map[string]string) {
	ref, _ := fields["project"].(map[string]any)
	var p *Project
	if key, ok := ref["key"].(string); ok {
		p = s.projects[key]
	} else if id, ok := ref["id"].(string); ok {
		p = s.project(id)
	}
	if p == nil {
		errs["project"] = "Specify a valid project ID or key"
		return
	}
	is.Project = p.Key
	ref, _ = fields["issuetype"].(map[string]any)
	name, _ := ref["name"].(string)
	if name == "" {
		name, _ = ref["id"].(string)
	}
	if name == "" {
		errs["issuetype"] = "Specify an issue type"
		return
	}
	it, ok := s.issueType(p.Key, name)
	if !ok {
		errs["issuetype"] = "Specify a valid issue type"
		return
	}
	is.IssueType = it.Name
}

func (s *Server) field(id string) (Field, bool) {
	for _, f := range s.fields {
		if f.ID == id {
			return f, true
		}
	}
	return Field{}, false
}

func (s *Server) setField(is *Issue, name string, v any, errs map[string]string, create bool) {
	switch name {
	case "summary":
		str, ok := v.(string)
		switch {
		case !ok || strings.TrimSpace(str) == "":
			errs[name] = "You must specify a summary of the issue."
		case len(str) > 255:
			errs[name] = "Summary must be less than 255 characters."
		case strings.ContainsAny(str, "\r\n"):
			errs[name] = "The summary is invalid because it contains newline characters."
		default:
			is.Summary = str
		}
	case "description":
		if v == nil {
			is.Desc = nil
			return
		}
		if err := checkADF(v); err != nil {
			errs[name] = adfMessage + " (jiratest: " + err.Error() + ")"
			return
		}
		is.Desc = v
	case "duedate":
		if v == nil {
			is.DueDate = ""
			return
		}
		str, _ := v.(string)
		if !validDate(str) {
			errs[name] = fmt.Sprintf("Error parsing date string: %v", v)
			return
		}
		is.DueDate = str
	case "labels":
		list, ok := v.([]any)
		if !ok {
			errs[name] = "Labels must be a list of strings."
			return
		}
		var labels []string
		for _, x := range list {
			l, ok := x.(string)
			if msg := labelProblem(l, ok); msg != "" {
				errs[name] = msg
				return
			}
			labels = appendLabel(labels, l)
		}
		is.Labels = labels
	case "assignee":
		if v == nil {
			is.AssigneeID = ""
			return
		}
		ref, _ := v.(map[string]any)
		id, _ := ref["accountId"].(string)
		if id == "" {
			errs[name] = "Specify a valid value for assignee (an object with accountId)."
			return
		}
		is.AssigneeID = id
	case "priority":
		ref, _ := v.(map[string]any)
		pn, _ := ref["name"].(string)
		if id, ok := ref["id"].(string); ok && pn == "" {
			for _, p := range s.priorities {
				if s.priorityID(p) == id {
					pn = p
				}
			}
		}
		if pn == "" || s.priorityID(pn) == "0" {
			errs[name] = "Specify the Priority (id or name) in the string format"
			return
		}
		is.Priority = s.priorities[mustAtoi(s.priorityID(pn))-1]
	default:
		f, ok := s.field(name)
		if !ok || !f.Custom {
			errs[name] = cannotSet(name)
			return
		}
		if v == nil {
			delete(is.Custom, name)
			return
		}
		str, ok := v.(string)
		switch f.Type {
		case "date":
			if !ok || !validDate(str) {
				errs[name] = fmt.Sprintf("Error parsing date string: %v", v)
				return
			}
		case "string":
			if !ok {
				errs[name] = "Operation value must be a string"
				return
			}
			if len(str) > 255 {
				errs[name] = "Text fields can not contain more than 255 characters."
				return
			}
		}
		if is.Custom == nil {
			is.Custom = map[string]any{}
		}
		is.Custom[name] = v
	}
}

func (s *Server) applyOp(is *Issue, name string, op map[string]any, errs map[string]string, create bool) {
	if name != "labels" {
		if v, ok := op["set"]; ok {
			s.setField(is, name, v, errs, create)
			return
		}
		errs[name] = fmt.Sprintf("The fake Jira supports only 'set' on %s.", name)
		return
	}
	for verb, v := range op {
		switch verb {
		case "add", "remove":
			l, ok := v.(string)
			if msg := labelProblem(l, ok); msg != "" {
				errs[name] = msg
				return
			}
			if verb == "add" {
				is.Labels = appendLabel(is.Labels, l)
			} else {
				out := is.Labels[:0:0]
				for _, x := range is.Labels {
					if x != l {
						out = append(out, x)
					}
				}
				is.Labels = out
			}
		case "set":
			s.setField(is, name, v, errs, create)
		default:
			errs[name] = fmt.Sprintf("Unknown operation '%s' on labels.", verb)
		}
	}
}

func labelProblem(l string, isString bool) string {
	switch {
	case !isString || l == "":
		return "Labels must be non-empty strings."
	case strings.ContainsAny(l, " \t\r\n"):
		return fmt.Sprintf("The label '%s' contains spaces which is invalid.", l)
	case len(l) > 255:
		return "The label must not be longer than 255 characters."
	}
	return ""
}

func appendLabel(labels []string, l string) []string {
	for _, x := range labels {
		if x == l {
			return labels
		}
	}
	return append(labels, l)
}

func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

func mustAtoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// checkADF checks that v is an Atlassian Document of the node types rotor
// writes: paragraphs of text (with marks) and hard breaks. Headings, lists
// and rules are accepted too.
func checkADF(v any) error {
	doc, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("not an object")
	}
	if doc["type"] != "doc" {
		return fmt.Errorf("type is %v, want doc", doc["type"])
	}
	if ver, ok := doc["version"].(float64); !ok || ver != 1 {
		return fmt.Errorf("version is %v, want 1", doc["version"])
	}
	content, ok := doc["content"].([]any)
	if !ok {
		return fmt.Errorf("content is not a list")
	}
	for i, b := range content {
		if err := checkBlock(b); err != nil {
			return fmt.Errorf("content[%d]: %w", i, err)
		}
	}
	return nil
}

func checkBlock(v any) error {
	n, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("not an object")
	}
	switch n["type"] {
	case "paragraph", "heading":
		if n["content"] == nil {
			return nil
		}
		content, ok := n["content"].([]any)
		if !ok {
			return fmt.Errorf("%v content is not a list", n["type"])
		}
		for i, x := range content {
			if err := checkInline(x); err != nil {
				return fmt.Errorf("%v content[%d]: %w", n["type"], i, err)
			}
		}
	case "bulletList", "orderedList":
		items, ok := n["content"].([]any)
		if !ok || len(items) == 0 {
			return fmt.Errorf("%v needs listItem content", n["type"])
		}
		for i, it := range items {
			li, _ := it.(map[string]any)
			if li["type"] != "listItem" {
				return fmt.Errorf("%v content[%d]: not a listItem", n["type"], i)
			}
			blocks, _ := li["content"].([]any)
			for j, b := range blocks {
				if err := checkBlock(b); err != nil {
					return fmt.Errorf("%v content[%d][%d]: %w", n["type"], i, j, err)
				}
			}
		}
	case "rule":
	default:
		return fmt.Errorf("block node type %v is not allowed here", n["type"])
	}
	return nil
}

func checkInline(v any) error {
	n, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("not an object")
	}
	switch n["type"] {
	case "text":
		t, ok := n["text"].(string)
		if !ok || t == "" {
			return fmt.Errorf("text node with empty text")
		}
		if n["marks"] == nil {
			return nil
		}
		marks, ok := n["marks"].([]any)
		if !ok {
			return fmt.Errorf("marks is not a list")
		}
		for _, m := range marks {
			mk, _ := m.(map[string]any)
			switch mk["type"] {
			case "strong", "em", "code", "underline", "strike":
			case "link":
				attrs, _ := mk["attrs"].(map[string]any)
				if href, _ := attrs["href"].(string); href == "" {
					return fmt.Errorf("link mark without attrs.href")
				}
			default:
				return fmt.Errorf("mark type %v is not allowed", mk["type"])
			}
		}
	case "hardBreak":
	default:
		return fmt.Errorf("inline node type %v is not allowed here", n["type"])
	}
	return nil
}
