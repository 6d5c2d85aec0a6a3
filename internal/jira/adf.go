package jira

import (
	"strings"

	"github.com/ctreminiom/go-atlassian/v2/pkg/infra/models"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// Atlassian Document Format: the rich-text JSON Jira v3 takes for
// descriptions and comments. rotor writes only documents of paragraphs,
// text (optionally a link) and hard breaks.

type adfDoc struct {
	Type    string    `json:"type"`
	Version int       `json:"version"`
	Content []adfNode `json:"content"`
}

type adfNode struct {
	Type    string    `json:"type"`
	Text    string    `json:"text,omitempty"`
	Content []adfNode `json:"content,omitempty"`
	Marks   []adfMark `json:"marks,omitempty"`
}

type adfMark struct {
	Type  string            `json:"type"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

func newDoc(paragraphs ...adfNode) adfDoc {
	if paragraphs == nil {
		paragraphs = []adfNode{}
	}
	return adfDoc{Type: "doc", Version: 1, Content: paragraphs}
}

func text(s string) adfNode { return adfNode{Type: "text", Text: s} }

func link(s, href string) adfNode {
	return adfNode{Type: "text", Text: s, Marks: []adfMark{{Type: "link", Attrs: map[string]string{"href": href}}}}
}

func paragraph(nodes ...adfNode) adfNode { return adfNode{Type: "paragraph", Content: nodes} }

// describe renders description lines, one paragraph "Label: value" each;
// the value is a link when the line has one.
func describe(lines []rotation.Line) adfDoc {
	var ps []adfNode
	for _, l := range lines {
		var nodes []adfNode
		value := l.Value
		if value == "" {
			value = l.Link
		}
		switch {
		case l.Label != "" && value != "":
			nodes = append(nodes, text(l.Label+": "))
		case l.Label != "":
			nodes = append(nodes, text(l.Label+":"))
		}
		switch {
		case value != "" && l.Link != "":
			nodes = append(nodes, link(value, l.Link))
		case value != "":
			nodes = append(nodes, text(value))
		}
		if len(nodes) > 0 {
			ps = append(ps, paragraph(nodes...))
		}
	}
	return newDoc(ps...)
}

// plainText renders text as paragraphs split on blank lines; single line
// breaks inside a paragraph become hard breaks.
func plainText(s string) adfDoc {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var ps []adfNode
	for _, block := range strings.Split(s, "\n\n") {
		block = strings.Trim(block, "\n")
		if strings.TrimSpace(block) == "" {
			continue
		}
		var nodes []adfNode
		for i, line := range strings.Split(block, "\n") {
			if i > 0 {
				nodes = append(nodes, adfNode{Type: "hardBreak"})
			}
			if line != "" {
				nodes = append(nodes, text(line))
			}
		}
		ps = append(ps, paragraph(nodes...))
	}
	return newDoc(ps...)
}

// node converts d to go-atlassian's ADF model. The model omits an empty
// content list, so use it only for documents that have content.
func (d adfDoc) node() *models.CommentNodeScheme {
	return &models.CommentNodeScheme{Type: d.Type, Version: d.Version, Content: nodes(d.Content)}
}

func nodes(ns []adfNode) []*models.CommentNodeScheme {
	if len(ns) == 0 {
		return nil
	}
	out := make([]*models.CommentNodeScheme, len(ns))
	for i, n := range ns {
		m := &models.CommentNodeScheme{Type: n.Type, Text: n.Text, Content: nodes(n.Content)}
		for _, mk := range n.Marks {
			var attrs map[string]any
			if len(mk.Attrs) > 0 {
				attrs = make(map[string]any, len(mk.Attrs))
				for k, v := range mk.Attrs {
					attrs[k] = v
				}
			}
			m.Marks = append(m.Marks, &models.MarkScheme{Type: mk.Type, Attrs: attrs})
		}
		out[i] = m
	}
	return out
}
