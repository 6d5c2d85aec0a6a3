// Package doc is the one model of the tables that rotor's documents (the
// weekly report and the audit evidence pack) are made of, and their one
// Markdown rendering. A document builds its tables once, as [Table]s, and
// every format it writes renders those same values: Markdown through
// [Table.WriteMarkdown] here; plain text and HTML in the document's own
// package, whose layout is its own (the report's HTML is an e-mail, the
// pack's a printable page), from [Cell.Plain] or the spans themselves.
//
// A [Cell] is a list of [Span]s, and a span's [Kind] says where its text
// comes from and so how a format escapes it: rotor's own words, dates and
// figures (Lit) are written as they are; a value from the register, git
// or Jira is shown as text (Text), as code (Code), or as text linked to an
// address [SafeURL] let through (Link); a compliance figure is drawn as a
// bar (Bar). A value longer than its span's Max is cut by each format
// before it escapes it (textsafe.Clip), so that no escape is cut in two.
//
// The model is a package of its own rather than part of package markdown:
// markdown is the escaper of every Markdown writer and knows nothing of
// HTML nor of what a cell holds, while this model feeds HTML and text too.
// It sits above markdown and textsafe, and below the documents.
package doc
