// Package report computes the weekly KPI report of the register and writes
// it as Markdown (the Actions job summary), plain text (a terminal, and the
// e-mail's text part), JSON and HTML (the e-mail's HTML part). It is the
// engine of `rotor report`, built like package reconcile:
//
//  1. Compute is a pure function of an Input: the register today, the
//     register as it was on earlier dates (read from git by the caller), the
//     rotations of the week (from git too) and, optionally, the open
//     tickets. It does no I/O and reads no clock: every date is an input.
//  2. The writers render the Report. The tables of the human formats are
//     built once as package doc's model (sections.go) and every format
//     draws those: Markdown by doc's one rendering, text and HTML here.
//     Every value from the register, from git or from Jira goes through
//     package markdown (Markdown), textsafe (text) or html/template (HTML),
//     so a credential named <script>alert(1)</script> or
//     [x](https://evil.example) arrives as text.
//
// # KPIs
//
//   - total: every entry of the register (as `rotor status` counts them);
//   - exempt: entries whose exemption runs until today or later (an
//     exemption is still in force on its until date);
//   - on time: status ok or due; rated = total − exempt;
//   - compliance = on time / rated × 100, rounded half up to a whole
//     number, except that a figure is never rounded up to 100 while one
//     credential is overdue, nor down to 0 while one is on time (1999 of
//     2000 is 99%, not 100%). With nothing to rate (an empty register, or
//     only exempt credentials) there is no figure: JSON null, "n/a" in
//     the other formats. The same holds per team, and for every trend point;
//   - change since last week: today's figure minus last week's, in
//     percentage points of the rounded figures, so that the numbers shown
//     add up ("91% (+3)" after 88%); null when either figure is missing;
//   - due next 7 / next 30: not exempt and 0 <= days_left <= 7 / <= 30
//     (due_next_30 includes due_next_7);
//   - target: the register's report.target_percent (95 when not set);
//     compliance as shown (rounded) below it is "below the target", at or
//     above it "meets the target"; with nothing rated, neither;
//   - trend: one point per snapshot of Input.Trend that falls within
//     Input.Weeks weeks before today, oldest first, then today. Its bars
//     start at 0%. When history was read and the register is younger than
//     a week (Input.HistoryStart), TrendNote says so.
//
// # Ordering
//
// Overdue by days overdue (most first); due soon by days left; rotations
// by commit time; exemptions by expiry; each then by criticality (critical
// first, none last: rotation.CompareCriticality), then id. Teams by name,
// with credentials without a team last.
//
// # JSON
//
// WriteJSON writes the Report's fields: today, week, total, exempt,
// on_time, compliance_percent, target_percent, change, overdue,
// due_next_7, due_next_30, rotated, exemptions, previous, teams, trend,
// trend_weeks, tickets_checked, and history_note, history_start and
// trend_note (only when set). Each listed credential carries its
// criticality (left out when it has none). A percentage that does
// not exist is null, never left out, in the report, per team and per trend
// point. Without history, previous, change and rotated are null (rotated
// is [] when history was read and nothing was rotated) and the trend is
// today alone. rotated lists objects (id, name, team,
// previous_last_changed, last_changed, ticket, commit, by, at), not bare
// ids: one credential may be rotated twice in a week. An item's ticket is
// its open ticket, present only when Jira was asked (tickets_checked) and
// has one.
//
// # Size
//
// JSON lists everything. The other formats show at most 25 credentials per
// list and 50 teams, and say how many they left out ("…and 120 more"); every
// value is put on one line and cut to 100 characters before escaping (so
// that an escape is never cut in two), and the trend shows its last 26
// points. The Markdown then holds at most 100 credential rows of 7 cells of
// at most 700 bytes each (a control character escapes to 7 bytes, \\u202e)
// plus one ticket link of at most 512 bytes, and 50 team rows: under
// 600 KiB for any register, below GitHub's 1 MiB limit for a job summary.
// The test with 100,000 hostile credentials writes about 155 KB. The HTML stays
// small for a realistic register (Gmail clips a message above 102 KB).
package report
