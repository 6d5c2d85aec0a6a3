// Package dashboard renders the static site of `rotor dashboard`: pages
// for people (index.html, teams/<team>.html, credentials/<id>.html) and
// feeds for tools (status.json, register.csv, due.ics, metrics.prom,
// badge.svg), all from the same figures. docs/dashboard.md describes
// what each file shows and the schema of status.json.
//
// It is built like package report:
//
//  1. [Render] is a pure function of an [Input] that the command fills
//     from what it already computes: the register, report.Compute's
//     Report with its trend snapshots, and audit.Compute's Pack. It does
//     no I/O and reads no clock, and the same Input gives the same bytes.
//     Pages are rendered in parallel; the templates are parsed once.
//  2. [Site.WriteDir] writes the site beside its folder and swaps it in,
//     so a failure leaves the old site whole.
//
// # Safety
//
// The register is written by anyone who can open a pull request, and the
// site may be served to a whole company (or, with Input.Public, to the
// world). So:
//
//   - every page is one HTML file with one <style> (a constant, allowed by
//     its hash in a Content-Security-Policy meta element), no script, no
//     style attribute, nothing loaded from anywhere; charts are inline SVG
//     styled by class, each with a title, a description and its data as
//     a table;
//   - every value of the register goes through html/template as text,
//     after control characters and bidirectional overrides are written
//     visibly (textsafe); the only links made from the register are
//     http(s) runbook URLs, with rel="noopener noreferrer";
//   - file names come from credential ids (lower-case kebab, checked) and
//     from team slugs (see teamSlugs), never from free text;
//   - register.csv neutralises cells a spreadsheet would run as formulas,
//     due.ics escapes and folds its text as RFC 5545 says, metrics.prom
//     escapes label values;
//   - a public site holds aggregate figures only: no credential's id,
//     name, owner, system or description in any file.
//
// # Size
//
// The index lists at most 200 overdue or due credentials and 100 teams,
// and says how many it left out (every team's page lists all of its
// credentials; teams.html lists every team): for 10,000 credentials it
// stays far under 1 MB. BenchmarkSite10000 renders 10,000 credentials
// with a year of history.
package dashboard
