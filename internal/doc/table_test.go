package doc_test

import (
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/doc"
)

func pct(n int) *int { return &n }

func TestCellMarkdownAndPlain(t *testing.T) {
	long := strings.Repeat("a", 12)
	tests := []struct {
		name      string
		cell      doc.Cell
		md, plain string
	}{
		{"own text as it is", doc.Cell{{S: "[a] *b*"}}, "[a] *b*", "[a] *b*"},
		{"text escaped", doc.Cell{{S: "[x](https://evil.example)", Kind: doc.Text}},
			`\[x\](https\://evil.example)`, "[x](https://evil.example)"},
		{"text on one line", doc.Cell{{S: "a\n b\tc", Kind: doc.Text}}, "a  b c", "a b c"},
		{"code", doc.Cell{{S: "db-key", Kind: doc.Code}}, "`db-key`", "db-key"},
		{"link", doc.Cell{{S: "OPS-1", Kind: doc.Link, URL: "https://x.example/browse/OPS-1"}},
			"[OPS-1](https://x.example/browse/OPS-1)", "OPS-1"},
		{"link without an address is text", doc.Cell{{S: "-x", Kind: doc.Link}}, `\-x`, "-x"},
		{"bar", doc.Cell{{Kind: doc.Bar, Pct: pct(91)}}, "█████████░ 91%", "█████████░ 91%"},
		{"bar below 100 never full", doc.Cell{{Kind: doc.Bar, Pct: pct(99)}}, "█████████░ 99%", "█████████░ 99%"},
		{"bar without a figure", doc.Cell{{Kind: doc.Bar}}, "n/a", "n/a"},
		{"missing text", doc.Cell{{Kind: doc.Text}}, "-", "-"},
		{"missing code", doc.Cell{{Kind: doc.Code}}, "-", "-"},
		{"missing link", doc.Cell{{Kind: doc.Link, URL: "https://x.example"}}, "-", "-"},
		{"empty own text stays empty", doc.Cell{{}}, "", ""},
		{"an empty value among others stays empty", doc.Cell{{S: "1: "}, {Kind: doc.Code}}, "1: ", "1: "},
		{"spans in order", doc.Cell{{S: "3 days: "}, {S: "db", Kind: doc.Code}, {S: ", from x"}}, "3 days: `db`, from x", "3 days: db, from x"},
		{"cut to Max before escaping", doc.Cell{{S: "<" + long, Kind: doc.Text, Max: 4}}, `\<aaa…`, "<aaa…"},
		{"code cut as it is, Plain cut on one line", doc.Cell{{S: "a\r\n\r\nbcdef", Kind: doc.Code, Max: 4}}, "`a\\r\\n\\r…`", "a bc…"},
		{"Max 0 shows all", doc.Cell{{S: long, Kind: doc.Text}}, long, long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cell.Markdown(); got != tt.md {
				t.Errorf("Markdown() = %q, want %q", got, tt.md)
			}
			if got := tt.cell.Plain(); got != tt.plain {
				t.Errorf("Plain() = %q, want %q", got, tt.plain)
			}
		})
	}
}

func TestTableWriteMarkdown(t *testing.T) {
	cols := []doc.Column{{Head: "Credential"}, {Head: "Days", Right: true}}
	row := []doc.Cell{{{S: "a|b", Kind: doc.Code}}, {{S: "3"}}}
	tests := []struct {
		name  string
		table doc.Table
		level int
		want  string
	}{
		{"empty", doc.Table{Title: "Overdue (0)", Empty: "Nothing is overdue.", Cols: cols}, 3,
			"\n### Overdue (0)\n\nNothing is overdue.\n"},
		{"intro and rows", doc.Table{Title: "Rotations", Intro: "By credential.", Empty: "None.", Cols: cols,
			Rows: [][]doc.Cell{row}}, 2,
			"\n## Rotations\n\nBy credential.\n\n| Credential | Days |\n| --- | ---: |\n| a\\|b | 3 |\n"},
		{"intro without rows", doc.Table{Title: "Rotations", Intro: "By credential.", Empty: "None.", Cols: cols}, 2,
			"\n## Rotations\n\nBy credential.\n\nNone.\n"},
		{"cut", doc.Table{Title: "Overdue (3)", Cols: cols, Rows: [][]doc.Cell{row}, More: 2, Noun: "credentials"}, 3,
			"\n### Overdue (3)\n\n| Credential | Days |\n| --- | ---: |\n| a\\|b | 3 |\n\n…and 2 more credentials (all of them: --format json)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			tt.table.WriteMarkdown(&b, tt.level)
			if got := b.String(); got != tt.want {
				t.Errorf("WriteMarkdown() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct {
		url  string
		safe bool
	}{
		{"https://example.atlassian.net/browse/OPS-1", true},
		{"http://localhost:8080/browse/OPS-1?a=b&c=%20#top", true},
		{"https://x.example/" + strings.Repeat("a", 512-len("https://x.example/")), true},
		{"https://x.example/" + strings.Repeat("a", 513-len("https://x.example/")), false},
		{"", false},
		{"javascript:alert(1)", false},
		{"ftp://x.example/", false},
		{"HTTPS://x.example/", false},
		{"https://x.example/a b", false},
		{"https://x.example/a)b", false},
		{"https://x.example/\"onmouseover", false},
		{"https://x.example/<script>", false},
		{"https://x.example/a\\b", false},
		{"https://x.example/\x1b", false},
		{"https://x.example/é", false},
	}
	for _, tt := range tests {
		want := ""
		if tt.safe {
			want = tt.url
		}
		if got := doc.SafeURL(tt.url); got != want {
			t.Errorf("SafeURL(%q) = %q, want %q", tt.url, got, want)
		}
	}
}
