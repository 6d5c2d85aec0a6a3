package report

import (
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/doc"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// The HTML is an e-mail: Gmail drops <style> blocks and Outlook renders
// with Word, so the layout is nested tables with inline styles only (and
// bgcolor/width attributes for Outlook), no flexbox, grid, images,
// scripts or media queries. It is fluid: the page is as wide as the
// window up to 680 px (max-width; Outlook, which ignores it, shows it
// full width), the tables are table-layout:fixed so that nothing widens
// them, and a table of credentials too wide for a phone scrolls sideways
// inside its own box, never the page. Such a table is at least 520 px
// wide, so that on a phone its columns keep a readable width rather than
// a word each; an e-mail address may break at its @ (<wbr>) and after a
// hyphen, so that at the e-mail's full width the due dates stay in view.
// Bars are table cells with a width percentage, from 0; their figures are
// text beside them.
const htmlTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}}</title>
<link rel="icon" href="data:,">
</head>
<body style="margin:0;padding:0;background-color:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f4f5f7" style="width:100%;table-layout:fixed;background-color:#f4f5f7;">
<tr><td align="center" style="padding:16px 8px;">
<div role="main" style="max-width:680px;margin:0 auto;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="width:100%;max-width:680px;table-layout:fixed;background-color:#ffffff;border:1px solid #dfe1e6;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:20px;color:#172b4d;text-align:left;">
<tr><td style="padding:20px 16px 4px 16px;"><h1 style="margin:0;font-size:20px;line-height:26px;font-weight:bold;color:#172b4d;">{{.Title}}</h1></td></tr>
<tr><td style="padding:12px 16px 0 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;"><tr>
<td id="compliance" style="padding:8px;border-top:4px solid {{.Lead.Color}};">
<div style="font-size:28px;line-height:34px;font-weight:bold;color:{{.Lead.Color}};">{{.Lead.Value}}</div>
<div style="font-size:13px;line-height:18px;color:#44546f;">{{.Lead.Label}}</div>
</td>
</tr></table>
</td></tr>
<tr><td style="padding:8px 16px 4px 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;table-layout:fixed;"><tr>
{{- range .Tiles}}
<td valign="top" style="padding:8px;border-top:4px solid {{.Color}};">
<div style="font-size:24px;line-height:30px;font-weight:bold;color:{{.Color}};">{{.Value}}</div>
<div style="font-size:12px;line-height:16px;color:#44546f;">{{.Label}}</div>
</td>
{{- end}}
</tr></table>
</td></tr>
<tr><td style="padding:8px 16px;color:#44546f;">{{.Counts}}</td></tr>
{{- if .Note}}
<tr><td style="padding:8px 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td bgcolor="#fff7d6" style="background-color:#fff7d6;border-left:4px solid #e2b203;padding:8px 12px;"><b>History not read:</b> {{.Note}}</td></tr></table>
</td></tr>
{{- end}}
{{- if .Trend}}
<tr><td style="padding:16px 16px 4px 16px;"><h2 style="margin:0;font-size:16px;line-height:22px;font-weight:bold;color:#172b4d;">{{.TrendTitle}}</h2></td></tr>
<tr><td style="padding:4px 16px;">
<table width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;font-size:12px;line-height:16px;">
<tr><th scope="col" align="left" style="width:84px;padding:2px 8px 2px 0;color:#44546f;font-weight:normal;">Date</th><th scope="col" colspan="2" align="left" style="padding:2px 0;color:#44546f;font-weight:normal;">On time</th></tr>
{{- range .Trend}}
<tr>
<th scope="row" align="left" style="width:84px;padding:2px 8px 2px 0;white-space:nowrap;font-weight:{{if .Today}}bold{{else}}normal{{end}};color:#172b4d;">{{.Label}}</th>
<td style="padding:2px 0;"><table role="presentation" class="trend-bar" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#e9ebee" style="width:100%;background-color:#e9ebee;"><tr>
{{- if .Pct}}<td class="trend-fill" width="{{.Pct}}%" height="12" bgcolor="{{.Color}}" style="width:{{.Pct}}%;height:12px;background-color:{{.Color}};font-size:0;line-height:0;">&nbsp;</td>{{end}}
{{- if .Rest}}<td width="{{.Rest}}%" height="12" style="width:{{.Rest}}%;height:12px;font-size:0;line-height:0;">&nbsp;</td>{{end -}}
</tr></table></td>
<td class="trend-figure" align="right" style="width:44px;padding:2px 0 2px 8px;white-space:nowrap;font-weight:{{if .Today}}bold{{else}}normal{{end}};">{{.Figure}}</td>
</tr>
{{- end}}
</table>
</td></tr>
{{- else if .TrendNote}}
<tr><td style="padding:16px 16px 4px 16px;"><h2 style="margin:0;font-size:16px;line-height:22px;font-weight:bold;color:#172b4d;">Trend</h2></td></tr>
<tr><td style="padding:4px 16px;color:#44546f;">Not drawn yet: {{.TrendNote}}.</td></tr>
{{- end}}
{{- range .Sections}}
<tr><td style="padding:16px 16px 4px 16px;"><h2 style="margin:0;font-size:16px;line-height:22px;font-weight:bold;color:#172b4d;">{{.Title}}</h2></td></tr>
<tr><td style="padding:4px 16px;">
{{- if .Rows}}
<div role="region" aria-label="{{.Title}}" tabindex="0" style="width:100%;overflow-x:auto;">
<table width="100%" cellpadding="4" cellspacing="0" border="0" style="width:100%;min-width:520px;border-collapse:collapse;font-size:13px;line-height:18px;">
<tr>
{{- range .Cols}}<th scope="col" align="{{if .Right}}right{{else}}left{{end}}" valign="bottom" style="border-bottom:2px solid #dfe1e6;color:#44546f;">{{.Head}}</th>{{end -}}
</tr>
{{- range .Rows}}
<tr{{if .Shade}} bgcolor="#f7f8f9" style="background-color:#f7f8f9;"{{end}}>
{{- range .Cells}}<td{{if .Right}} align="right"{{end}} valign="top"{{if .NoWrap}} style="white-space:nowrap;"{{end}}>
{{- if .Bar}}{{if .Known}}{{.Pct}}%<table role="presentation" width="100" cellpadding="0" cellspacing="0" border="0" style="width:100px;"><tr>
{{- if .Pct}}<td width="{{.Pct}}%" height="8" bgcolor="#1f845a" style="width:{{.Pct}}%;height:8px;background-color:#1f845a;font-size:0;line-height:0;">&nbsp;</td>{{end}}
{{- if .Rest}}<td width="{{.Rest}}%" height="8" bgcolor="#e2483d" style="width:{{.Rest}}%;height:8px;background-color:#e2483d;font-size:0;line-height:0;">&nbsp;</td>{{end -}}
</tr></table>{{else}}<span style="color:#5e6c84;">n/a (all exempt)</span>{{end}}
{{- else if .URL}}<a href="{{.URL}}" style="color:#0c66e4;">{{.Text}}</a>
{{- else if .Code}}<span style="font-family:Consolas,Menlo,monospace;font-size:12px;">{{.Text}}</span>
{{- else if .Address}}{{index .Address 0}}<wbr>@{{index .Address 1}}
{{- else if .Words}}{{range $i, $w := .Words}}{{if $i}} {{end}}<span style="white-space:nowrap;">{{$w}}</span>{{end}}
{{- else}}{{.Text}}{{end -}}
</td>{{end}}
</tr>
{{- end}}
</table>
</div>
{{- if .More}}
<p style="margin:6px 0 0 0;font-size:12px;color:#5e6c84;">{{.More}}</p>
{{- end}}
{{- else}}
<span style="color:#5e6c84;">{{.Empty}}</span>
{{- end}}
</td></tr>
{{- end}}
<tr><td style="padding:20px 16px;font-size:12px;line-height:16px;color:#5e6c84;">Made by rotor from the credential register and its git history.</td></tr>
</table>
</div>
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
	colorTrend   = "#579dff"
	colorTrendUp = "#0c66e4" // today's bar
)

type htmlView struct {
	Subject, Title, Counts, Note string
	TrendTitle, TrendNote        string
	Lead                         htmlTile // compliance, held to the target
	Tiles                        []htmlTile
	Trend                        []htmlPoint
	Sections                     []htmlSection
}

type htmlTile struct{ Value, Label, Color string }

// htmlPoint is one week of the trend: a bar filled Pct% from 0, the
// figure beside it.
type htmlPoint struct {
	Pct, Rest     int
	Today         bool
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
	NoWrap      bool // a value without a space (an id, a date, a hash) stays on one line
	// Address is an e-mail address split at its @, where it may break:
	// it wraps (after a hyphen too) rather than push the due date out of
	// a box the width of the e-mail.
	Address []string
	// Words are the words of a value with spaces and hyphens, each kept
	// whole: a date is never cut at its hyphen, the line breaks between
	// words.
	Words      []string
	Bar, Known bool
	Pct, Rest  int
}

// WriteHTML writes the report as one HTML page for e-mail (Gmail, Outlook),
// fluid from a phone's 320 px to 680 px: tables and inline styles only,
// the compliance tile red below the register's target and green at or
// above it (and saying which), a compliance bar per team and the trend as
// one bar per week, from 0%, with its figure. Every value goes through
// textsafe, then html/template, so it arrives as text.
func (r *Report) WriteHTML(w io.Writer) error {
	v := htmlView{Subject: r.Subject(), Title: r.title(), Counts: r.counts(), TrendNote: r.TrendNote,
		Note: textsafe.Value(textsafe.Clip(r.HistoryNote, maxNoteRunes))}

	v.Lead = htmlTile{Value: pctText(r.CompliancePercent), Label: "on time, " + r.targetText() + r.changeSuffix(), Color: colorBad}
	switch {
	case r.CompliancePercent == nil:
		v.Lead.Label, v.Lead.Color = r.headline()+" (target "+strconv.Itoa(r.TargetPercent)+"%)", colorInk
	case r.meetsTarget():
		v.Lead.Color = colorGood
	}
	v.Tiles = append(v.Tiles, countTile(len(r.Overdue), "overdue", colorBad),
		countTile(len(r.DueNext7), "due in 7 days", colorWarn))
	if r.Rotated != nil {
		v.Tiles = append(v.Tiles, htmlTile{Value: strconv.Itoa(len(r.Rotated)), Label: "rotated this week", Color: colorGood})
	}

	if pts := r.shownTrend(); len(pts) > 1 {
		v.TrendTitle = r.trendTitle()
		for i, p := range pts {
			hp := htmlPoint{Figure: "n/a", Label: p.Date.String(), Color: colorTrend, Rest: 100}
			if i == len(pts)-1 {
				hp.Color, hp.Today = colorTrendUp, true
			}
			if p.CompliancePercent != nil {
				hp.Pct, hp.Rest = *p.CompliancePercent, 100-*p.CompliancePercent
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
	hc.NoWrap = !strings.Contains(hc.Text, " ")
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
	if local, domain, ok := strings.Cut(hc.Text, "@"); ok && hc.NoWrap && !hc.Code && hc.URL == "" && !hc.Bar && local != "" && domain != "" {
		hc.NoWrap, hc.Address = false, []string{local, domain}
	}
	if !hc.NoWrap && hc.Address == nil && !hc.Code && hc.URL == "" && !hc.Bar && strings.Contains(hc.Text, "-") {
		hc.Words = strings.Split(hc.Text, " ")
	}
	return hc
}

func countTile(n int, label, color string) htmlTile {
	if n == 0 {
		color = colorGood
	}
	return htmlTile{Value: strconv.Itoa(n), Label: label, Color: color}
}
