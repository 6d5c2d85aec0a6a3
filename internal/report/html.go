package report

import (
	"html/template"
	"io"
	"strconv"

	"github.com/rotor-dev/rotor/internal/doc"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// The HTML is an e-mail: Gmail drops <style> blocks and Outlook renders
// with Word, so the layout is nested tables with inline styles only (and
// bgcolor/width attributes for Outlook), no flexbox, grid, images or
// scripts. Bars are table cells with a width percentage or a height.
const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f4f5f7" style="background-color:#f4f5f7;">
<tr><td align="center" style="padding:16px 8px;">
<table role="presentation" width="680" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="width:680px;max-width:680px;background-color:#ffffff;border:1px solid #dfe1e6;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:20px;color:#172b4d;">
<tr><td style="padding:20px 24px 4px 24px;font-size:20px;line-height:26px;font-weight:bold;">{{.Title}}</td></tr>
<tr><td style="padding:12px 24px 4px 24px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>
{{- range .Tiles}}
<td width="25%" valign="top" style="width:25%;padding:8px;border-top:4px solid {{.Color}};">
<div style="font-size:24px;line-height:30px;font-weight:bold;color:{{.Color}};">{{.Value}}</div>
<div style="font-size:12px;line-height:16px;color:#5e6c84;">{{.Label}}</div>
</td>
{{- end}}
</tr></table>
</td></tr>
<tr><td style="padding:8px 24px;color:#44546f;">{{.Counts}}</td></tr>
{{- if .Note}}
<tr><td style="padding:8px 24px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td bgcolor="#fff7d6" style="background-color:#fff7d6;border-left:4px solid #e2b203;padding:8px 12px;"><b>History not read:</b> {{.Note}}</td></tr></table>
</td></tr>
{{- end}}
{{- if .Trend}}
<tr><td style="padding:16px 24px 4px 24px;font-size:16px;font-weight:bold;">{{.TrendTitle}}</td></tr>
<tr><td style="padding:4px 24px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
{{- range .Trend}}
<td valign="bottom" align="center" height="60" style="height:60px;padding:0 3px;">
{{- if .Known}}<table role="presentation" cellpadding="0" cellspacing="0" border="0" align="center"><tr><td width="18" height="{{.Height}}" bgcolor="{{.Color}}" style="width:18px;height:{{.Height}}px;background-color:{{.Color}};font-size:0;line-height:0;">&nbsp;</td></tr></table>{{end -}}
</td>
{{- end}}
</tr><tr>
{{- range .Trend}}
<td align="center" style="padding:2px 3px 0 3px;font-size:11px;line-height:14px;color:#172b4d;">{{.Figure}}</td>
{{- end}}
</tr><tr>
{{- range .Trend}}
<td align="center" style="padding:0 3px;font-size:10px;line-height:12px;color:#6b778c;">{{.Label}}</td>
{{- end}}
</tr></table>
</td></tr>
{{- end}}
{{- range .Sections}}
<tr><td style="padding:16px 24px 4px 24px;font-size:16px;font-weight:bold;">{{.Title}}</td></tr>
<tr><td style="padding:4px 24px;">
{{- if .Rows}}
<table role="presentation" width="100%" cellpadding="5" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px;line-height:18px;">
<tr>
{{- range .Cols}}<th align="{{if .Right}}right{{else}}left{{end}}" style="border-bottom:2px solid #dfe1e6;color:#44546f;">{{.Head}}</th>{{end -}}
</tr>
{{- range .Rows}}
<tr{{if .Shade}} bgcolor="#f7f8f9" style="background-color:#f7f8f9;"{{end}}>
{{- range .Cells}}<td{{if .Right}} align="right"{{end}} valign="top">
{{- if .Bar}}{{if .Known}}{{.Pct}}%<table role="presentation" width="100" cellpadding="0" cellspacing="0" border="0" style="width:100px;"><tr>
{{- if .Pct}}<td width="{{.Pct}}%" height="8" bgcolor="#1f845a" style="width:{{.Pct}}%;height:8px;background-color:#1f845a;font-size:0;line-height:0;">&nbsp;</td>{{end}}
{{- if .Rest}}<td width="{{.Rest}}%" height="8" bgcolor="#e2483d" style="width:{{.Rest}}%;height:8px;background-color:#e2483d;font-size:0;line-height:0;">&nbsp;</td>{{end -}}
</tr></table>{{else}}<span style="color:#6b778c;">n/a (all exempt)</span>{{end}}
{{- else if .URL}}<a href="{{.URL}}" style="color:#0c66e4;">{{.Text}}</a>
{{- else if .Code}}<span style="font-family:Consolas,Menlo,monospace;font-size:12px;">{{.Text}}</span>
{{- else}}{{.Text}}{{end -}}
</td>{{end}}
</tr>
{{- end}}
</table>
{{- if .More}}
<p style="margin:6px 0 0 0;font-size:12px;color:#5e6c84;">{{.More}}</p>
{{- end}}
{{- else}}
<span style="color:#5e6c84;">{{.Empty}}</span>
{{- end}}
</td></tr>
{{- end}}
<tr><td style="padding:20px 24px;font-size:12px;line-height:16px;color:#6b778c;">Made by rotor from the credential register and its git history.</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`

var htmlPage = template.Must(template.New("report").Parse(htmlTemplate))

// Colours of the HTML, all constants: no style is built from a value of
// the register.
const (
	colorInk     = "#172b4d"
	colorGood    = "#1f845a"
	colorWarn    = "#b65c02"
	colorBad     = "#c9372c"
	colorTrend   = "#85b8ff"
	colorTrendUp = "#0c66e4" // today's bar
)

type htmlView struct {
	Subject, Title, Counts, Note, TrendTitle string
	Tiles                                    []htmlTile
	Trend                                    []htmlPoint
	Sections                                 []htmlSection
}

type htmlTile struct{ Value, Label, Color string }

type htmlPoint struct {
	Known         bool
	Height        int
	Color         string
	Figure, Label string
}

type htmlSection struct {
	Title, Empty, More string
	Cols               []doc.Column
	Rows               []htmlRow
}

type htmlRow struct {
	Shade bool // every other row has a background
	Cells []htmlCell
}

type htmlCell struct {
	Text, URL   string
	Code, Right bool
	Bar, Known  bool
	Pct, Rest   int
}

// WriteHTML writes the report as one HTML page for e-mail (Gmail, Outlook):
// tables and inline styles only, a compliance bar per team and the trend
// drawn with styled table cells. Every value goes through textsafe, then
// html/template, so it arrives as text.
func (r *Report) WriteHTML(w io.Writer) error {
	v := htmlView{Subject: r.Subject(), Title: r.title(), Counts: r.counts(),
		Note: textsafe.Value(textsafe.Clip(r.HistoryNote, maxNoteRunes))}

	lead := htmlTile{Value: pctText(r.CompliancePercent), Label: "on time", Color: colorInk}
	if r.Change != nil {
		lead.Label += " (" + changeText(*r.Change) + " since last week)"
	}
	if r.CompliancePercent == nil {
		lead.Label = r.headline()
	}
	v.Tiles = append(v.Tiles, lead, countTile(len(r.Overdue), "overdue", colorBad),
		countTile(len(r.DueNext7), "due in 7 days", colorWarn))
	if r.Rotated != nil {
		v.Tiles = append(v.Tiles, htmlTile{Value: strconv.Itoa(len(r.Rotated)), Label: "rotated this week", Color: colorGood})
	}

	if pts := r.shownTrend(); len(pts) > 1 {
		v.TrendTitle = r.trendTitle()
		floor := sparkFloor(pts)
		for i, p := range pts {
			hp := htmlPoint{Figure: "-", Label: p.Date.String(), Color: colorTrend}
			if len(hp.Label) == len("2006-01-02") {
				hp.Label = hp.Label[5:] // "11-27"
			}
			if i == len(pts)-1 {
				hp.Color = colorTrendUp
			}
			if p.CompliancePercent != nil {
				hp.Known = true
				hp.Height = 4 + level(*p.CompliancePercent, floor)*8 // 4 to 60 pixels
				hp.Figure = strconv.Itoa(*p.CompliancePercent) + "%"
			}
			v.Trend = append(v.Trend, hp)
		}
	}

	for _, s := range r.sections() {
		hs := htmlSection{Title: s.Title, Empty: s.Empty, Cols: s.Cols}
		if s.More > 0 {
			hs.More = s.MoreText()
		}
		for n, row := range s.Rows {
			hr := make([]htmlCell, len(row))
			for i, c := range row {
				hr[i] = htmlCellOf(c, s.Cols[i].Right)
			}
			hs.Rows = append(hs.Rows, htmlRow{Shade: n%2 == 1, Cells: hr})
		}
		v.Sections = append(v.Sections, hs)
	}
	return htmlPage.Execute(w, v)
}

// htmlCellOf is a cell of the report's tables as the template draws it: its
// text on one line, cut and escaped (textsafe, then html/template), "-"
// when that leaves nothing; a bar as table cells.
func htmlCellOf(c doc.Cell, right bool) htmlCell {
	hc := htmlCell{Text: textsafe.Value(c.Plain()), Right: right}
	if hc.Text == "" {
		hc.Text = "-"
	}
	for _, s := range c {
		switch s.Kind {
		case doc.Code:
			hc.Code = true
		case doc.Link:
			hc.URL = s.URL
		case doc.Bar:
			hc.Bar = true
			if s.Pct != nil {
				hc.Known, hc.Pct, hc.Rest = true, *s.Pct, 100-*s.Pct
			}
		}
	}
	return hc
}

func countTile(n int, label, color string) htmlTile {
	if n == 0 {
		color = colorGood
	}
	return htmlTile{Value: strconv.Itoa(n), Label: label, Color: color}
}
