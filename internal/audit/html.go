package audit

import (
	"html/template"
	"io"
	"strings"

	"github.com/rotor-dev/rotor/internal/doc"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// The HTML is one page to print or archive: no script, no external
// resource, one <style> block. It prints on A4 landscape (the event tables
// are wide), each section after the summary on a new page, table headers
// repeated on every page (thead), rows never split. Nothing relies on a
// background colour, which browsers drop when printing: rules are borders.
// The markup is also well-formed XML (void elements closed, no named
// entities), so a test can check its structure with encoding/xml.
const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{.Title}}</title>
<style>
@page { size: A4 landscape; margin: 12mm; }
body { max-width: 273mm; margin: 16px auto; padding: 0 8px; font-family: Arial, Helvetica, sans-serif; font-size: 10pt; line-height: 1.35; color: #000; }
h1 { font-size: 16pt; margin: 0 0 8pt 0; }
h2 { font-size: 13pt; margin: 18pt 0 4pt 0; }
p { margin: 4pt 0; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt 0; font-size: 8.5pt; }
th, td { border: 1px solid #777; padding: 2pt 4pt; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { border-bottom: 2px solid #000; }
th.r, td.r { text-align: right; }
code { font-family: Consolas, Menlo, monospace; font-size: 8pt; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
footer { margin-top: 18pt; font-size: 8pt; }
@media print {
  body { max-width: none; margin: 0; padding: 0; }
  section.major { page-break-before: always; break-before: page; }
  h2 { page-break-after: avoid; break-after: avoid; }
}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{- range .Tables}}
<section{{if .Major}} class="major"{{end}}>
<h2>{{.Title}}</h2>
{{- if .Intro}}
<p>{{.Intro}}</p>
{{- end}}
{{- if .Rows}}
<table>
<thead><tr>{{range .Cols}}<th{{if .Right}} class="r"{{end}}>{{.Head}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr>{{range .}}<td{{if .Right}} class="r"{{end}}>{{range .Spans}}{{if .Code}}<code>{{.Text}}</code>{{else}}{{.Text}}{{end}}{{end}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
{{- else}}
<p>{{.Empty}}</p>
{{- end}}
</section>
{{- end}}
<footer>{{.Footer}}</footer>
</body>
</html>
`

var htmlPage = template.Must(template.New("audit").Parse(htmlTemplate))

type htmlView struct {
	Title, Footer string
	Tables        []htmlTable
}

type htmlTable struct {
	Title, Intro, Empty string
	Major               bool
	Cols                []doc.Column
	Rows                [][]htmlCell
}

type htmlCell struct {
	Right bool
	Spans []htmlSpan
}

type htmlSpan struct {
	Text string
	Code bool
}

// WriteHTML writes the pack as one printable HTML page with the content of
// WriteMarkdown. Every value from the register or git goes through
// textsafe (control and bidi characters shown escaped; text put on one
// line first), then html/template, so it arrives as text.
func (p *Pack) WriteHTML(w io.Writer) error {
	v := htmlView{Title: p.title(), Footer: footer}
	for _, t := range p.tables() {
		ht := htmlTable{Title: t.Title, Intro: t.Intro, Empty: t.Empty, Major: t.Major, Cols: t.Cols,
			Rows: make([][]htmlCell, len(t.Rows))}
		for i, row := range t.Rows {
			cells := make([]htmlCell, len(row))
			for j, c := range row {
				spans := make([]htmlSpan, len(c))
				for k, s := range c {
					text := s.S
					switch s.Kind {
					case doc.Text, doc.Link: // on one line, as markdown.Text puts it; the page links nothing
						text = textsafe.Value(strings.Join(strings.Fields(text), " "))
					case doc.Code: // as it is, as markdown.Code shows it
						text = textsafe.Value(text)
					}
					spans[k] = htmlSpan{Text: text, Code: s.Kind == doc.Code}
				}
				cells[j] = htmlCell{Right: t.Cols[j].Right, Spans: spans}
			}
			ht.Rows[i] = cells
		}
		v.Tables = append(v.Tables, ht)
	}
	return htmlPage.Execute(w, v)
}
