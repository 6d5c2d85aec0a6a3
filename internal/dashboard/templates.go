package dashboard

import (
	"html/template"
	"strings"
)

// The pages are html/template: every value is escaped for where it
// stands, and every value of the register arrives as text, never as an
// element, an attribute or a link (links are made only from paths of the
// site and from runbook URLs that are http or https). The stylesheet and
// the policy are constants written into the template's text.
const layoutText = `{{define "layout"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@CSP@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="rotor dashboard">
<link rel="icon" href="data:,">
<style>@STYLE@</style>
<title>{{.Title}}</title>
</head>
<body>
{{if .Public}}<p class="banner pub">Public site: aggregate figures of the credential register only.</p>
{{else}}<p class="banner"><strong>Internal site:</strong> it names credentials, their owners and teams. Do not publish it.</p>
{{end}}<div class="wrap">
<header>
<h1>{{.Heading}}</h1>
<p class="made">{{template "made" .}}</p>
<nav aria-label="Pages"><ul>{{if .Root}}<li><a href="{{.Root}}index.html">Overview</a></li>{{end}}{{range .Nav}}<li><a href="{{.Href}}">{{.Text}}</a></li>{{end}}</ul></nav>
</header>
<main>
{{template "content" .}}
</main>
<footer><p class="made">{{template "made" .}} Read from the credential register and its git history only.</p></footer>
</div>
</body>
</html>
{{end}}
{{define "made"}}Made <span class="nowrap">{{.Made}}</span> from {{if .Commit}}commit <code>{{.Commit}}</code>{{else}}a register outside any commit{{end}}; statuses as of <span class="nowrap">{{.Today}}</span>.{{end}}
{{define "status"}}<span class="st st-{{.Class}}"><span aria-hidden="true">{{.Symbol}}</span> {{.Text}}</span>{{end}}
{{define "cell"}}<td{{if .Class}} class="{{.Class}}"{{end}}>
{{- if .Status}}{{template "status" .Status}}
{{- else if .Chart}}{{template "chart" .Chart}}
{{- else if .Href}}<a href="{{.Href}}"{{if .External}} rel="noopener noreferrer"{{end}}>{{if .Code}}<code>{{.Text}}</code>{{else}}{{.Text}}{{end}}</a>
{{- else if .Code}}<code>{{.Text}}</code>
{{- else}}{{.Text}}{{end}}</td>{{end}}
{{define "table"}}{{if .Rows}}<div class="scroll" tabindex="0" role="region" aria-label="{{.Label}}">
<table>
<thead><tr>{{range .Cols}}<th scope="col"{{if .Num}} class="num"{{end}}>{{.Head}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}{{template "cell" .}}{{end}}</tr>
{{end}}</tbody>
</table>
</div>{{else}}<p>{{.Empty}}</p>{{end}}{{if .More}}
<p>{{.More}}{{if .MoreHref}} <a href="{{.MoreHref}}">{{.MoreLink}}</a>{{end}}</p>{{end}}
{{end}}
{{define "chart"}}<svg class="{{.Class}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-labelledby="{{.ID}}-t {{.ID}}-d" focusable="false"><title id="{{.ID}}-t">{{.Title}}</title><desc id="{{.ID}}-d">{{.Desc}}</desc>
{{- range .Lines}}<line class="{{.Class}}" x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}"/>{{end}}
{{- range .Rects}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}">{{if .Title}}<title>{{.Title}}</title>{{end}}</rect>{{end}}
{{- range .Texts}}<text class="{{.Class}}" x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}">{{.Text}}</text>{{end}}</svg>{{end}}
{{define "figure"}}<figure>
{{template "chart" .Chart}}
{{if .Legend}}<ul class="legend">{{range .Legend}}<li>{{if .Class}}<span class="sw {{.Class}}"></span>{{end}}{{if .Symbol}}<span aria-hidden="true">{{.Symbol}} </span>{{end}}{{.Text}}</li>{{end}}</ul>{{end}}
</figure>
{{template "table" .Table}}{{end}}
{{define "kpis"}}<div class="kpis">
{{range .}}<div class="kpi"><span class="v{{if .Class}} {{.Class}}{{end}}" id="kpi-{{.ID}}">{{if .Symbol}}<span aria-hidden="true">{{.Symbol}}</span> {{end}}{{.Value}}</span><span class="l">{{.Label}}</span>{{if .Note}}<span class="l" id="kpi-{{.ID}}-note">{{.Note}}</span>{{end}}</div>
{{end}}</div>
{{end}}`

const indexText = `{{define "content"}}<section aria-labelledby="h-summary">
<h2 id="h-summary">Summary</h2>
{{template "kpis" .KPIs}}
{{if .Note}}<p class="note"><strong>History not read:</strong> {{.Note}}</p>{{end}}
</section>
{{if not .Public}}<section aria-labelledby="h-actions">
<h2 id="h-actions">Action list</h2>
<p>Every overdue credential, most days late first, then every credential due inside its notice window.</p>
{{template "table" .Actions}}
</section>
{{end}}<section aria-labelledby="h-teams">
<h2 id="h-teams">Teams</h2>
{{template "table" .Teams}}
{{if .TeamWeeks.Rows}}<h3 id="h-team-weeks">Compliance by team and week</h3>
{{template "table" .TeamWeeks}}{{end}}
</section>
<section aria-labelledby="h-trend">
<h2 id="h-trend">Trend</h2>
{{template "figure" .Trend}}
</section>
<section aria-labelledby="h-due">
<h2 id="h-due">Due dates</h2>
<p>Credentials not exempt by the week they fall due, from today; the overdue ones are a bar of their own.</p>
{{template "figure" .Due}}
</section>
<section aria-labelledby="h-exemptions">
<h2 id="h-exemptions">Exemptions</h2>
{{if .Public}}<p>{{.ExemptText}}</p>{{else}}{{template "table" .Exemptions}}{{end}}
</section>
<section aria-labelledby="h-warnings">
<h2 id="h-warnings">Warnings</h2>
{{if .Public}}<p>{{.WarningText}}</p>{{else}}{{template "table" .Warnings}}{{end}}
</section>
<section aria-labelledby="h-feeds">
<h2 id="h-feeds">Feeds</h2>
<ul class="feeds">{{range .Feeds}}<li><a href="{{.Href}}">{{.Text}}</a>: {{.Note}}</li>{{end}}</ul>
</section>
{{end}}`

const teamText = `{{define "content"}}<section aria-labelledby="h-summary">
<h2 id="h-summary">Summary</h2>
{{template "kpis" .KPIs}}
</section>
<section aria-labelledby="h-trend">
<h2 id="h-trend">Trend</h2>
{{template "figure" .Trend}}
</section>
<section aria-labelledby="h-creds">
<h2 id="h-creds">Credentials</h2>
{{if .Public}}<p>The public site lists no credentials.</p>{{else}}<p>By due date, the soonest first.</p>
{{template "table" .Credentials}}{{end}}
</section>
{{end}}`

const teamsText = `{{define "content"}}<section aria-labelledby="h-teams">
<h2 id="h-teams">Every team</h2>
{{template "table" .Teams}}
</section>
{{end}}`

const credentialText = `{{define "content"}}<section aria-labelledby="h-status">
<h2 id="h-status">Status</h2>
{{template "kpis" .KPIs}}
</section>
<section aria-labelledby="h-fields">
<h2 id="h-fields">Fields</h2>
<dl class="fields">
<dt>ID</dt><dd><code>{{.ID}}</code></dd>
<dt>Name</dt><dd>{{.Name}}</dd>
<dt>Team</dt><dd>{{if .TeamHref}}<a href="{{.TeamHref}}">{{.Team}}</a>{{else}}{{.Team}}{{end}}</dd>
{{range .Fields}}<dt>{{.Name}}</dt><dd>{{.Text}}</dd>
{{end}}{{if .Exemption}}<dt>Exempt until</dt><dd>{{.Exemption.Until}}</dd>
<dt>Exemption reason</dt><dd class="long">{{.Exemption.Reason}}</dd>
<dt>Exemption approved by</dt><dd>{{.Exemption.ApprovedBy}}</dd>
{{end}}{{range .More}}<dt>{{.Name}}</dt><dd>{{.Text}}</dd>
{{end}}{{if .Runbook}}<dt>Runbook</dt><dd>{{if .RunbookHref}}<a href="{{.RunbookHref}}" rel="noopener noreferrer">{{.Runbook}}</a>{{else}}{{.Runbook}} (not an http or https address: not linked){{end}}</dd>
{{end}}{{if .Description}}<dt>Description</dt><dd class="long">{{.Description}}</dd>
{{end}}{{if .Where}}<dt>Registered in</dt><dd><code>{{.Where}}</code></dd>
{{end}}</dl>
</section>
<section aria-labelledby="h-history">
<h2 id="h-history">Rotation history</h2>
<p>{{.HistoryIntro}}</p>
{{if .History}}<div class="scroll" tabindex="0" role="region" aria-label="Rotation history">
<table>
<thead><tr><th scope="col">Committed</th><th scope="col">last_changed</th><th scope="col" class="num">Interval</th><th scope="col" class="num">Period</th><th scope="col">Due date</th><th scope="col">On time</th><th scope="col">Ticket</th><th scope="col">Commit</th></tr></thead>
<tbody>
{{range .History}}<tr><td class="nowrap">{{.Date}}</td><td class="nowrap">{{.Change}}</td><td class="num">{{.Interval}}</td><td class="num">{{.Period}}</td><td class="nowrap">{{.Due}}</td><td class="nowrap">{{.OnTime}}</td><td>{{.Ticket}}</td><td><code>{{.Commit}}</code></td></tr>
{{end}}</tbody>
</table>
</div>{{end}}
</section>
{{end}}`

var (
	indexPage      = mustPage(indexText, chartStyle)
	teamPage       = mustPage(teamText, chartStyle)
	teamsPage      = mustPage(teamsText, chartStyle)
	credentialPage = mustPage(credentialText, stylesheet)
)

// pageTemplate is the template of a kind of page and the head every page
// of the kind starts with: the layout's text up to its stylesheet's end.
type pageTemplate struct {
	t    *template.Template
	head string
}

// mustPage parses the layout with one page's content and stylesheet, once.
func mustPage(content, style string) pageTemplate {
	layout := strings.NewReplacer("@CSP@", policy(style), "@STYLE@", style).Replace(layoutText)
	t := template.Must(template.New("layout").Parse(layout))
	head := strings.TrimPrefix(layout, `{{define "layout"}}`)
	head = head[:strings.Index(head, "</style>\n")+len("</style>\n")]
	return pageTemplate{t: template.Must(t.Parse(content)), head: head}
}
