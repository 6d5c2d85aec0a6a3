package dashboard

import (
	"crypto/sha256"
	"encoding/base64"
)

// stylesheet is the one <style> of a credential's page, and the start of
// every other page's (see chartStyle). It is a constant, so its hash in
// the Content-Security-Policy is too: no page carries a style attribute
// or another stylesheet, and a style injected by any means would not
// match the hash.
//
// Light and dark themes follow prefers-color-scheme; colours are custom
// properties, so the charts (SVG fills by class) follow the theme too.
// Text colours keep a contrast of at least 4.5:1 on their background in
// both themes. At 600 px the page never scrolls sideways: wide tables
// scroll inside their own box, long words break anywhere.
const stylesheet = `:root{color-scheme:light dark;--bg:#fff;--fg:#172b4d;--muted:#44546f;--line:#b7bec9;--panel:#f1f2f4;--link:#0c56c4;--ok:#216e4e;--due:#8a4a0b;--over:#ae2e24;--ex:#44546f;--b-ok:#4bce97;--b-due:#e2b203;--b-over:#c9372c;--b-ex:#8590a2;--b-next:#579dff;--note:#fff7d6;--notel:#b38600;--int:#ffeceb;--intl:#c9372c}
@media (prefers-color-scheme:dark){:root{--bg:#1d2125;--fg:#dee4ea;--muted:#a9b6c4;--line:#4a545e;--panel:#282e33;--link:#85b8ff;--ok:#7ee2b8;--due:#f5cd47;--over:#fd9891;--ex:#b6c2cf;--b-ok:#2abb7f;--b-due:#cf9f02;--b-over:#f15b50;--b-ex:#738496;--b-next:#388bff;--note:#3d3103;--notel:#cf9f02;--int:#4f1c17;--intl:#f15b50}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",Arial,sans-serif;overflow-wrap:break-word}
a{color:var(--link)}
.banner{margin:0;padding:8px 16px;background:var(--int);border-bottom:3px solid var(--intl)}
.banner.pub{background:var(--panel);border-color:var(--line)}
.wrap{max-width:1180px;margin:0 auto;padding:0 16px 24px}
header{padding:14px 0 4px}
h1{font-size:1.6rem;line-height:1.2;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:16px 0 6px}
p{margin:6px 0}
.made,.muted{color:var(--muted);font-size:.875rem}
nav ul{list-style:none;margin:8px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:2px 16px;font-size:.9rem}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:12px 0}
.kpi{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 12px}
.kpi .v{display:block;font-size:1.75rem;font-weight:700;line-height:1.2}
.kpi .v.date{font-size:1.25rem;line-height:1.9}
.kpi .l{display:block;color:var(--muted);font-size:.85rem}
.st{font-weight:600;white-space:nowrap}
.st-ok{color:var(--ok)}.st-due{color:var(--due)}.st-overdue{color:var(--over)}.st-exempt{color:var(--ex)}
.note{background:var(--note);border-left:4px solid var(--notel);padding:8px 12px;margin:12px 0}
.scroll{overflow-x:auto;max-width:100%;margin:8px 0}
.scroll:focus-visible{outline:2px solid var(--link)}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--panel);white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.nowrap{white-space:nowrap}
code{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:.875em}
.long{white-space:pre-wrap;max-width:80ch}
dd{overflow-wrap:anywhere}
dl.fields{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 16px;margin:8px 0}
dl.fields dt{font-weight:600;color:var(--muted)}
dl.fields dd{margin:0}
footer{margin-top:32px;padding-top:8px;border-top:1px solid var(--line)}
@media (max-width:640px){h1{font-size:1.35rem}dl.fields{grid-template-columns:minmax(0,1fr)}dl.fields dd{margin-bottom:6px}.kpi .v{font-size:1.4rem}}
@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--line:#888;--panel:#fff;--link:#000;--ok:#000;--due:#000;--over:#000;--ex:#000;--note:#fff;--int:#fff;--intl:#000}
body{font-size:10pt}nav{display:none}.wrap{max-width:none;padding:0}.scroll{overflow:visible}a{text-decoration:none}
svg,.sw{print-color-adjust:exact;-webkit-print-color-adjust:exact}
h2{break-after:avoid}tr,figure,.kpi{break-inside:avoid}thead{display:table-header-group}}
`

// chartStyle is what pages with charts and feeds add to stylesheet. A
// credential's page goes without: 10,000 of them are a tenth smaller.
const chartStyle = stylesheet + "" +
	"figure{margin:8px 0}\n" +
	"svg.chart{display:block;width:100%;max-width:760px;height:auto}\n" +
	"svg.spark{display:block;width:96px;height:24px}\n" +
	".b-ok{fill:var(--b-ok);background:var(--b-ok)}.b-due{fill:var(--b-due);background:var(--b-due)}.b-over{fill:var(--b-over);background:var(--b-over)}" +
	".b-ex{fill:var(--b-ex);background:var(--b-ex)}.b-next{fill:var(--b-next);background:var(--b-next)}\n" +
	".grid{stroke:var(--line);stroke-width:1}\n" +
	".axis{fill:var(--muted);font-size:14px}\n" +
	".val{fill:var(--fg);font-size:14px;font-weight:600}\n" +
	".legend{list-style:none;display:flex;flex-wrap:wrap;gap:2px 18px;margin:4px 0;padding:0;font-size:.875rem}\n" +
	".sw{display:inline-block;width:.85em;height:.85em;margin-right:5px;vertical-align:-1px;border:1px solid var(--fg)}\n" +
	"ul.feeds{padding-left:20px}\n"

// policy is a page's Content-Security-Policy for its stylesheet: nothing
// may load, from anywhere, but that one stylesheet (by its hash) and
// data: images (the empty favicon, so that the browser asks for no
// /favicon.ico). frame-ancestors cannot be set from a meta element; a
// server that wants it sets the header.
func policy(style string) string {
	sum := sha256.Sum256([]byte(style))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src data:; base-uri 'none'; form-action 'none'"
}
