package cli

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/reconcile"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/term"
	"github.com/rotor-dev/rotor/internal/validate"
)

// Values an author of a pull request could put in the register, each aimed
// at a terminal, the Actions runner or a Markdown job summary.
const (
	forgedAnnotation = "x\n::error file=README.md,line=1::forged"
	clearScreen      = "\x1b[2J\x1b[H"
	osc8Link         = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
	carriageReturn   = "all good\r"
	mdLink           = "[x](https://evil.example) ![i](https://evil.example/i.png) <img src=x onerror=alert(1)> <https://evil.example> https://evil.example www.evil.example"
	mdBreakout       = "`` ` | # h\n- item &lt;b&gt; *em* _u_"
	legacyCommand    = "a ##[error]forged"
	bidi             = "evil\u202egpj.exe\u2066\u2028\u0085\u009b"
)

// hostile mixes all of the above into one value.
var hostile = forgedAnnotation + clearScreen + osc8Link + carriageReturn + mdLink + mdBreakout + legacyCommand + bidi

// annotationRE is what rotor's own workflow commands look like.
var annotationRE = regexp.MustCompile(`^::(error|warning|notice) file=[^,:\n]*,line=\d+,col=\d+,title=rotor [^,:]*::|^::notice title=rotor::`)

// checkStream fails on anything in out that a terminal or the Actions
// runner would act on: raw controls, "##[", and a line that starts with
// "::" unless it is one of rotor's annotations (returned).
func checkStream(t *testing.T, name, out string) (annotations []string) {
	t.Helper()
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			t.Errorf("%s: byte %#x at %d is not UTF-8", name, out[i], i)
		case r == '\n':
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			t.Errorf("%s: raw %U at %d: %q", name, r, i, out[max(0, i-20):min(len(out), i+20)])
		}
		i += size
	}
	if strings.Contains(out, "##[") {
		t.Errorf("%s has the legacy command prefix ##[:\n%s", name, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") {
			continue
		}
		if !annotationRE.MatchString(line) {
			t.Errorf("%s: a line starts a workflow command: %q", name, line)
			continue
		}
		annotations = append(annotations, line)
	}
	return annotations
}

var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

var tagRE = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)[^>]*>`)

// checkMarkdown renders md as GitHub would and fails on any link, image or
// raw HTML; it returns the rendered text.
func checkMarkdown(t *testing.T, name, md string) string {
	t.Helper()
	checkStream(t, name, md)
	var b bytes.Buffer
	if err := gfm.Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	allowed := map[string]bool{"p": true, "h2": true, "h3": true, "ul": true, "li": true, "strong": true, "code": true,
		"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true}
	for _, m := range tagRE.FindAllStringSubmatch(out, -1) {
		tag := strings.ToLower(m[2])
		if !allowed[tag] || (strings.Contains(m[0], "=") && !strings.HasPrefix(m[0], `<th style="text-align:`) && !strings.HasPrefix(m[0], `<td style="text-align:`)) {
			t.Errorf("%s renders %s:\n%s", name, m[0], out)
		}
	}
	if strings.Contains(out, "<!--") {
		t.Errorf("%s renders raw HTML:\n%s", name, out)
	}
	return html.UnescapeString(tagRE.ReplaceAllString(out, " "))
}

// writeFile writes a register file, creating folders.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// yamlQuote writes s as a double-quoted YAML scalar.
func yamlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029':
			b.WriteString(`\u`)
			b.WriteString(strings.ToUpper(string([]byte{"0123456789abcdef"[r>>12&0xf], "0123456789abcdef"[r>>8&0xf], "0123456789abcdef"[r>>4&0xf], "0123456789abcdef"[r&0xf]})))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func TestValidateOutputIsSafe(t *testing.T) {
	root := t.TempDir()
	// Findings quote values (an unknown key, an owner that is no email,
	// a name with control characters), and every finding names its file.
	writeFile(t, filepath.Join(root, "a.yaml"), "credentials:\n"+
		"  - id: evil-key\n"+
		"    name: "+yamlQuote(hostile)+"\n"+
		"    owner: "+yamlQuote("bob"+hostile)+"\n"+
		"    team: "+yamlQuote(hostile)+"\n"+
		"    description: "+yamlQuote(hostile)+"\n"+
		"    "+yamlQuote("perod"+hostile)+": 1\n"+
		"    period_days: 90\n"+
		"    last_changed: 2026-09-01\n")
	incomplete := "credentials:\n  - id: x-key\n    name: x\n"
	for _, name := range []string{
		"b\n::error file=README.md,line=1::forged.yaml",
		"c`\x1b[2J[x](https:\\evil.example)<img src=x>|\u202e.yaml",
		"d\r##[warning]e.yaml",
	} {
		writeFile(t, filepath.Join(root, name), incomplete)
	}
	writeFile(t, filepath.Join(root, "::error::f", "g.yaml"), incomplete)
	t.Chdir(root) // so that a file name starts the finding's line

	summary := filepath.Join(t.TempDir(), "summary.md")
	r := runRotor(t, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}, "", "validate", "--register", ".", "--today", "2026-11-27")
	if r.code != ExitFailed {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	annotations := checkStream(t, "stdout", r.stdout)
	checkStream(t, "stderr", r.stderr)
	if len(annotations) < 10 {
		t.Errorf("%d annotations, want at least 10:\n%s", len(annotations), r.stdout)
	}
	for _, want := range []string{`b\n::error file=README.md,line=1::forged.yaml:`, `./::error::f/g.yaml:`, `c` + "`" + `\x1b[2J`, `d\r##\x5bwarning]e.yaml`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	text := checkMarkdown(t, "summary", string(md))
	for _, want := range []string{"b\\n::error file=README.md,line=1::forged.yaml", "c`\\x1b[2J[x](https:\\evil.example)<img src=x>|\\u202e.yaml"} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered summary lacks %q:\n%s\n%s", want, text, md)
		}
	}
}

func TestFindingWritersAreSafe(t *testing.T) {
	fs := []register.Finding{
		{File: "::error::x.yaml", Line: 1, Column: 2, Severity: register.SeverityError, Rule: "schema", Message: hostile, Hint: hostile},
		{File: "  ::warning::y.yaml", Line: 3, Column: 4, Severity: register.SeverityWarning, Rule: "a,b:c" + hostile, Message: "m", Hint: "::error::h"},
		{File: "dir,a:b%0A\n::x.yaml", Line: 5, Column: 6, Severity: register.SeverityError, Rule: "r", Message: "100%0A done\n::error::z"},
	}
	var text bytes.Buffer
	writeFindingsText(&text, fs)
	checkStream(t, "findings", text.String())
	for _, want := range []string{"./::error::x.yaml:1:2: x\\n::error", "./  ::warning::y.yaml:3:4: warning: m", "    hint: ::error::h"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("findings lack %q:\n%s", want, text.String())
		}
	}

	var ann bytes.Buffer
	writeAnnotations(&ann, fs)
	lines := checkStream(t, "annotations", ann.String())
	if len(lines) != 3 || strings.Count(ann.String(), "\n") != 3 {
		t.Fatalf("want 3 annotation lines:\n%s", ann.String())
	}
	for i, want := range []string{
		`::error file=%3A%3Aerror%3A%3Ax.yaml,line=1,col=2,title=rotor schema::x\n::error file=README.md,line=1::forged\x1b[2J`,
		`::warning file=  %3A%3Awarning%3A%3Ay.yaml,line=3,col=4,title=rotor a%2Cb%3Acx\n%3A%3Aerror file=README.md%2Cline=1%3A%3Aforged\x1b[2J`,
		`::error file=dir%2Ca%3Ab%250A\n%3A%3Ax.yaml,line=5,col=6,title=rotor r::100%250A done\n::error::z`,
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("annotation %d = %q, want it to start %q", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[0], "%0Ax\\n::error") {
		t.Errorf("the hint is not on its own annotation line (%%0A): %q", lines[0])
	}

	res := &validate.Result{Register: &rotation.Register{}}
	text2 := checkMarkdown(t, "summary", validateSummary(res, fs))
	if !strings.Contains(text2, "::error::x.yaml") || !strings.Contains(text2, "dir,a:b%0A\\n::x.yaml") {
		t.Errorf("summary does not show the file names:\n%s", text2)
	}
}

func TestStatusWritersAreSafe(t *testing.T) {
	rows := []report.StatusRow{
		{ID: "::error::id" + hostile, Name: hostile, Owner: "bob" + hostile, Team: hostile, Status: rotation.StatusDue, DaysLeft: 3},
		{ID: "payments-db-admin", Name: "Payments DB admin password", Owner: "alice@example.com", Team: "payments", Status: rotation.StatusOK},
	}
	var text bytes.Buffer
	if err := writeStatusText(&text, rows, term.Layout{}); err != nil {
		t.Fatal(err)
	}
	checkStream(t, "status text", text.String())
	for _, width := range []int{20, 40, 80} {
		var fitted bytes.Buffer
		if err := writeStatusText(&fitted, rows, term.Layout{Width: width}); err != nil {
			t.Fatal(err)
		}
		checkStream(t, fmt.Sprintf("status text at %d cells", width), fitted.String())
	}
	if strings.Count(text.String(), "\n") != 3 || !strings.Contains(text.String(), `\x3a:error::idx\n::error`) {
		t.Errorf("status text:\n%s", text.String())
	}
	if !regexp.MustCompile(`\npayments-db-admin +Payments DB admin password +alice@example\.com +payments +`).MatchString(text.String()) {
		t.Errorf("an ordinary row changed:\n%s", text.String())
	}
	var md bytes.Buffer
	if err := writeStatusMarkdown(&md, rows, rotation.MustParseDate("2026-11-27")); err != nil {
		t.Fatal(err)
	}
	rendered := checkMarkdown(t, "status markdown", md.String())
	if !strings.Contains(md.String(), "| `payments-db-admin` | Payments DB admin password | alice\\@example.com | payments |") {
		t.Errorf("an ordinary row reads differently:\n%s", md.String())
	}
	if !strings.Contains(rendered, "[x](https://evil.example) ![i](https://evil.example/i.png) <img src=x onerror=alert(1)>") {
		t.Errorf("the name does not read as it is written:\n%s", rendered)
	}
}

func TestStatusCLIOutputIsSafe(t *testing.T) {
	// Markdown in single-line fields passes the schema, so it reaches the
	// writers through the whole command.
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "::a.yaml"), "credentials:\n"+
		"  - id: evil-key\n"+
		"    name: "+yamlQuote(mdLink+" ` | # h &lt;b&gt; ##[error]x")+"\n"+
		"    owner: alice@example.com\n"+
		"    team: "+yamlQuote("[t](https://evil.example)")+"\n"+
		"    period_days: 90\n"+
		"    last_changed: 2026-09-01\n")
	for _, format := range []string{"text", "markdown"} {
		r := runRotor(t, nil, "", "status", "--register", root, "--today", "2026-11-27", "--format", format)
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d\n%s%s", format, r.code, r.stdout, r.stderr)
		}
		checkStream(t, format+" stdout", r.stdout)
		checkStream(t, format+" stderr", r.stderr)
		if format == "markdown" {
			checkMarkdown(t, "status markdown", r.stdout)
		}
	}
}

// hostilePlan is a plan whose every action and notice carries hostile
// values, from the register and from Jira.
func hostilePlan() *reconcile.Plan {
	s := rotation.DefaultSettings()
	s.Jira.Project = "SEC"
	s.Jira.OverduePriority = "High"
	day := rotation.MustParseDate("2026-11-27")
	c := func(id, last string) *rotation.Credential {
		return &rotation.Credential{ID: id, Name: hostile, Owner: "o@example.com", PeriodDays: 90, NoticeDays: 14,
			LastChanged: rotation.MustParseDate(last), JiraAssignee: "acc" + hostile}
	}
	// Ids stay short: reconcile.Summary cannot fit an id longer than a
	// Jira summary (the schema keeps ids short).
	due, okc := c("::error::due\x1b[2J\n::x\u202e", "2026-09-01"), c("ok-key", "2026-11-01")
	reg := &rotation.Register{Settings: s, Credentials: []*rotation.Credential{due, okc, c("new-key", "2026-08-01")}}
	return reconcile.Compute(reg, day, []rotation.Ticket{
		{Key: "::error::SEC-1" + hostile, CredentialID: due.ID, Summary: "old " + hostile, Labels: []string{"rotor", rotation.IdentityLabel(due.ID)}, StatusCategory: rotation.CategoryNew},
		{Key: "SEC-2" + hostile, CredentialID: okc.ID, Summary: reconcile.Summary(okc), DueDate: okc.NextDue(), Labels: []string{"rotor", rotation.IdentityLabel(okc.ID)}, StatusCategory: rotation.CategoryNew},
		{Key: "SEC-3" + hostile, CredentialID: "gone" + hostile, Labels: []string{"rotor", rotation.IdentityLabel("gone" + hostile)}, StatusCategory: rotation.CategoryNew},
		{Key: "::SEC-4" + hostile, Labels: []string{"rotor"}, StatusCategory: rotation.CategoryNew},
	})
}

func TestSyncPlanWritersAreSafe(t *testing.T) {
	p := hostilePlan()
	if len(p.Actions) < 3 || len(p.Warnings)+len(p.Notes) < 2 {
		t.Fatalf("the plan is too small to test: %+v", p)
	}
	for _, format := range []string{"text", "markdown"} {
		var stdout, stderr bytes.Buffer
		env := Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
		if err := writePlan(env, p, format); err != nil {
			t.Fatal(err)
		}
		checkStream(t, "plan "+format, stdout.String())
		if format == "markdown" {
			checkMarkdown(t, "plan markdown", stdout.String())
		}
	}
	var rs reconcile.Results
	for i, a := range p.Actions {
		r := reconcile.Result{Action: a, Key: "SEC-9" + hostile}
		if i%2 == 0 {
			r.Err = errors.New("jira: 400: " + hostile)
		}
		rs = append(rs, r)
	}
	var text, md bytes.Buffer
	if err := rs.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	checkStream(t, "results text", text.String())
	if err := rs.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	checkMarkdown(t, "results markdown", md.String())

	summary := filepath.Join(t.TempDir(), "summary.md")
	var stderr bytes.Buffer
	appendPlanSummary(Env{Stderr: &stderr, Getenv: func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return summary
		}
		return ""
	}}, p, rs, false)
	got, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	checkMarkdown(t, "sync summary", string(got))
}

func TestSyncDryRunOutputIsSafe(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a.yaml"), "credentials:\n"+
		"  - id: evil-key\n"+
		"    name: "+yamlQuote(mdLink+" ` | # h &lt;b&gt; ##[error]x")+"\n"+
		"    owner: alice@example.com\n"+
		"    period_days: 90\n"+
		"    last_changed: 2026-09-01\n")
	summary := filepath.Join(t.TempDir(), "summary.md")
	for _, format := range []string{"text", "markdown"} {
		r := runRotor(t, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}, "",
			"sync", "--register", root, "--today", "2026-11-27", "--dry-run", "--format", format)
		if r.code != ExitOK || !strings.Contains(r.stdout, "1 to create") {
			t.Fatalf("%s: exit %d\n%s%s", format, r.code, r.stdout, r.stderr)
		}
		checkStream(t, format+" stdout", r.stdout)
		checkStream(t, format+" stderr", r.stderr)
		if format == "markdown" {
			checkMarkdown(t, "plan markdown", r.stdout)
		}
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	checkMarkdown(t, "sync summary", string(md))

	// A register the schema refuses never reaches the writers; what it
	// prints instead is safe too.
	writeFile(t, filepath.Join(root, "b.yaml"), "credentials:\n  - id: b-key\n    name: "+yamlQuote(hostile)+"\n    owner: "+yamlQuote(hostile)+"\n    period_days: 90\n    last_changed: 2026-09-01\n")
	r := runRotor(t, nil, "", "sync", "--register", root, "--today", "2026-11-27", "--dry-run")
	if r.code != ExitFailed {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkStream(t, "refused stdout", r.stdout)
	checkStream(t, "refused stderr", r.stderr)
}

func TestDoctorOutputIsSafe(t *testing.T) {
	fake := jiratest.New(t)
	env := jiraEnv(fake)
	env["ROTOR_JIRA_PROJECT"] = "SEC" + forgedAnnotation + clearScreen
	r := runRotor(t, env, "", "doctor", "--register", example)
	checkStream(t, "doctor stdout", r.stdout)
	checkStream(t, "doctor stderr", r.stderr)
}
