// Package audit turns a register's git history into the evidence pack of
// `rotor audit`: every rotation of a period with the due date it answered,
// its ticket, its commit and who merged it; policy changes and exemptions
// with their commits; the days each credential spent overdue; and the
// observations an auditor would raise (a last_changed moved back or into
// the future, a rotation without a ticket or outside `rotor record`, an
// exemption its own owner approved, a period raised while due, a version
// of the register that could not be read).
//
// The package is pure: [Compute] reads an [Input] the git adapter filled
// (the register when the period began, then each commit's changed files)
// and the writers render the [Pack] as Markdown, CSV, JSON or HTML. The
// same history gives the same bytes. Markdown and HTML show the same
// tables, built once as package doc's model (tables.go): Markdown is doc's
// one rendering, the printable page this package's own template. The adapter reads history so that a
// version it cannot read changes nothing (its last readable version
// stands in: see [FileChange]) and names it in [Unreadable].
package audit
