package markdown_test

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/rotor-dev/rotor/internal/markdown"
)

// gfm renders like GitHub: tables, strikethrough, task lists and extended
// autolinks (linkify), with raw HTML passed through so that a test sees it.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

func render(t *testing.T, md string) string {
	t.Helper()
	var b bytes.Buffer
	if err := gfm.Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var (
	tagRE     = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)[^>]*>`)
	allowTags = map[string]bool{"p": true, "ul": true, "li": true, "table": true, "thead": true, "tbody": true,
		"tr": true, "th": true, "td": true, "code": true, "h3": true}
)

// checkRendered fails when the HTML has a tag other than the block and code
// tags the writer itself made, and returns the visible text.
func checkRendered(t *testing.T, md, out string) string {
	t.Helper()
	for _, m := range tagRE.FindAllStringSubmatch(out, -1) {
		if !allowTags[strings.ToLower(m[2])] || strings.Contains(m[0], "=") {
			t.Errorf("rendered %q has %s:\n%s", md, m[0], out)
		}
	}
	if strings.Contains(out, "<!--") {
		t.Errorf("rendered %q has an HTML comment:\n%s", md, out)
	}
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(out, " "))), " ")
}

// hostile values from the register, and how each must read once rendered.
var samples = []struct {
	name, in, reads string
}{
	{"plain name", "Payments DB admin password", ""},
	{"email", "alice@example.com", ""},
	{"id", "payments-db-admin", ""},
	{"date", "2026-11-27", ""},
	{"runbook url", "https://wiki.example.com/runbooks/payments-db-admin", ""},
	{"inline link", "[x](https://evil.example)", ""},
	{"reference link", "[x][1]\n\n[1]: https://evil.example", "[x][1] [1]: https://evil.example"},
	{"image", "![image](https://evil.example/a.png)", ""},
	{"raw HTML", `<img src="https://evil.example/a.png" onerror="alert(1)">`, ""},
	{"raw HTML block", "<details><summary>x</summary>y</details>", ""},
	{"script", "<script>alert(1)</script>", ""},
	{"bare URL", "see https://evil.example now", ""},
	{"bare URL, upper case", "HTTPS://EVIL.EXAMPLE", ""},
	{"ftp URL", "ftp://evil.example/x", ""},
	{"www", "www.evil.example", ""},
	{"WWW", "go to WWW.evil.example", ""},
	{"autolink", "<https://evil.example>", ""},
	{"email autolink", "<evil@evil.example>", ""},
	{"mailto", "mailto:evil@evil.example", ""},
	{"entity trick", "&lt;img src=x onerror=alert(1)&gt; &amp; &#60;b&#62;", ""},
	{"backticks", "a ` b `` c", ""},
	{"emphasis", "*bold* _it_ **x** ~~gone~~", ""},
	{"pipes", "a | b || c", ""},
	{"heading at start", "# Approved by security", ""},
	{"list at start", "- [x] approved", ""},
	{"plus list", "+ x", ""},
	{"ordered list", "1. first", ""},
	{"ordered list paren", "12) first", ""},
	{"quote", "> [!WARNING] fake alert", ""},
	{"thematic break", "***", ""},
	{"fence", "```js", ""},
	{"tilde fence", "~~~", ""},
	{"indented", "     code", "code"},
	{"line breaks", "one\ntwo\r\nthree\rfour", "one two three four"},
	{"line break then heading", "x\n# Heading\n- item", "x # Heading - item"},
	{"setext", "x\n===", "x ==="},
	{"hard break", "a\\\nb", `a\ b`},
	{"trailing backslash", `a\`, ""},
	{"control characters", "a\x1b[2Jb\x00\u202ec", `a\x1b[2Jb\x00\u202ec`},
	{"separators", "a\u2028b\u2029c", "a b c"},
	{"math", "$x^2$ and $$y$$", ""},
	{"footnote", "[^1]", ""},
	{"html comment", "<!-- hidden -->", ""},
	{"mention", "@octocat", ""},
	{"colon", "Note: 12:30 :smile:", ""},
	{"backslash escapes", `\* \[ \\`, ""},
}

func TestTextRendersAsText(t *testing.T) {
	for _, tt := range samples {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.reads
			if want == "" {
				want = strings.Join(strings.Fields(tt.in), " ")
			}
			got := markdown.Text(tt.in)
			if strings.ContainsAny(got, "\n\r") {
				t.Fatalf("Text(%q) = %q has a line break", tt.in, got)
			}
			for _, c := range contexts {
				md := c.before + got + c.after
				if reads := checkRendered(t, md, render(t, md)); reads != c.reads(want) {
					t.Errorf("%q renders as %q, want %q", md, reads, c.reads(want))
				}
			}
		})
	}
}

// contexts are the places writers put a value: the Markdown around it and
// the text that Markdown renders as.
type context struct{ before, after, textBefore, textAfter string }

var contexts = []context{
	{"", "\n", "", ""},
	{"before ", " after\n", "before ", " after"},
	{"- ", "\n", "", ""},
	{"### ", "\n", "", ""},
	{"| H1 | H2 |\n| --- | --- |\n| ", " | Z9 |\n", "H1 H2 ", " Z9"},
}

func (c context) reads(want string) string {
	return strings.TrimSpace(c.textBefore + want + c.textAfter)
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Payments DB admin password", "Payments DB admin password"},
		{"alice@example.com", `alice\@example.com`},
		{"payments-db-admin", "payments-db-admin"},
		{"2026-11-27", "2026-11-27"},
		{"https://wiki.example.com/x", `https\://wiki.example.com/x`},
		{"[x](https://evil.example)", `\[x\](https\://evil.example)`},
		{"<img src=x>", `\<img src=x\>`},
		{"&lt;", `\&lt;`},
		{"a|b", `a\|b`},
		{"# h", `\# h`},
		{"a # h", `a # h`},
		{"-", `\-`},
		{"1. x", `1\. x`},
		{"2026. x", `2026\. x`},
		{"www.x.example", `www\.x.example`},
		{"x\ny", "x y"},
		{"\x1b[2J", `\\x1b\[2J`},
		{"  padded  ", "padded"},
		{"Note: this", "Note: this"},
	}
	for _, tt := range tests {
		if got := markdown.Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCode(t *testing.T) {
	tests := []struct {
		in, want, reads string
	}{
		{"payments-db-admin", "`payments-db-admin`", "payments-db-admin"},
		{"data/payments.yaml", "`data/payments.yaml`", "data/payments.yaml"},
		{"a`b", "``a`b``", "a`b"},
		{"a``b`", "``` a``b` ```", "a``b`"},
		{"`", "`` ` ``", "`"},
		{" x ", "`  x  `", "x"},
		{"x`` <b>[x](https://evil.example)</b>", "```x`` <b>[x](https://evil.example)</b>```", "x`` <b>[x](https://evil.example)</b>"},
		{"https://evil.example", "`https://evil.example`", "https://evil.example"},
		{"a\n::error::x\x1b", "`a\\n::error::x\\x1b`", `a\n::error::x\x1b`},
		{"##[error]x", "`##\\x5berror]x`", `##\x5berror]x`},
		{"a|b", `a\|b`, "a|b"},
		{"", "", ""},
	}
	for _, tt := range tests {
		got := markdown.Code(tt.in)
		if got != tt.want {
			t.Errorf("Code(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.in == "" {
			continue
		}
		for _, c := range contexts {
			md := c.before + got + c.after
			out := render(t, md)
			if reads := checkRendered(t, md, out); reads != c.reads(tt.reads) {
				t.Errorf("%q renders as %q, want %q:\n%s", md, reads, c.reads(tt.reads), out)
			}
		}
	}
}

func TestCodeEverySample(t *testing.T) {
	for _, tt := range samples {
		got := markdown.Code(tt.in)
		md := "| a |\n| --- |\n| " + got + " |\n"
		out := render(t, md)
		checkRendered(t, md, out)
		if strings.Count(out, "<td>") != 1 {
			t.Errorf("Code(%q) = %q breaks the table:\n%s", tt.in, got, out)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range samples {
		f.Add(s.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, md := range []string{"- " + markdown.Text(s) + "\n", "| a |\n| --- |\n| " + markdown.Text(s) + " |\n", "| a |\n| --- |\n| " + markdown.Code(s) + " |\n"} {
			out := render(t, md)
			if strings.Contains(out, "<a") || strings.Contains(out, "<img") || strings.Contains(out, "<!--") {
				t.Fatalf("%q renders as %s", md, out)
			}
		}
	})
}

// TestRendererCatchesRawValues keeps the tests above honest: unescaped, the
// hostile samples do render as links, images and HTML.
func TestRendererCatchesRawValues(t *testing.T) {
	for _, s := range []string{"[x](https://evil.example)", "https://evil.example", "www.evil.example", "alice@example.com",
		"<https://evil.example>", "![i](https://evil.example/a.png)", "<img src=x>"} {
		out := render(t, "| a |\n| --- |\n| "+s+" |\n")
		if !strings.Contains(out, "<a") && !strings.Contains(out, "<img") {
			t.Errorf("%q renders without a link or image:\n%s", s, out)
		}
	}
}
