package term

import (
	"bufio"
	"io"
	"slices"
	"strings"
)

// gap is the space between two columns.
const gap = 2

// Column is one column of a Table and how it gives way when the table is
// wider than the layout allows.
type Column struct {
	// Head is the column's heading; a table whose columns all have none
	// prints no heading line.
	Head string
	// Give is the order in which the column is shortened: columns of
	// Give 1 first (the widest of them first), then 2, and so on; 0: it
	// is never shortened.
	Give int
	// Min is the narrowest a shortened column gets, "…" included;
	// 0: DefaultMin.
	Min int
	// Hide is the order in which the column is left out when shortening
	// every column that gives is not enough: 1 first; 0: never.
	Hide int
	// KeepEnd shortens the column's values from their start
	// ("…2027-01-31"): for values whose end says most.
	KeepEnd bool
}

// DefaultMin is the narrowest a column that gives way gets unless its Min
// says otherwise.
const DefaultMin = 8

// Cell is one value of a row, with the style it is painted in when the
// layout allows colour. Its text is written as it is: make values from
// outside safe first (textsafe).
type Cell struct {
	Text  string
	Style Style
}

// Table is a text table: columns separated by two spaces, each as wide as
// its widest value, the last one not padded. Written with no width limit
// it is what text/tabwriter (padding 2) writes, byte for byte, for text of
// narrow runes. Written to a Layout with a Width, it is fitted: the
// columns that give way are shortened with "…" (in Give order), then
// columns are left out (in Hide order), and a line that is still too wide
// is cut at the width, so that no line is wider than the layout.
type Table struct {
	// Indent starts every line (counted in the width).
	Indent string
	Cols   []Column
	rows   [][]Cell
}

// Row adds a row of plain cells, one per column.
func (t *Table) Row(texts ...string) {
	cells := make([]Cell, len(texts))
	for i, s := range texts {
		cells[i] = Cell{Text: s}
	}
	t.rows = append(t.rows, cells)
}

// RowCells adds a row of cells, one per column.
func (t *Table) RowCells(cells ...Cell) { t.rows = append(t.rows, cells) }

// Len is the number of rows added.
func (t *Table) Len() int { return len(t.rows) }

// hasHead reports whether any column has a heading.
func (t *Table) hasHead() bool {
	return slices.ContainsFunc(t.Cols, func(c Column) bool { return c.Head != "" })
}

// Write writes the table to w, fitted to l.
func (t *Table) Write(w io.Writer, l Layout) error {
	widths, shown := t.fit(l.Width)
	bw := bufio.NewWriter(w)
	if t.hasHead() {
		head := make([]Cell, len(t.Cols))
		for i, c := range t.Cols {
			head[i] = Cell{Text: c.Head}
		}
		t.writeLine(bw, head, widths, shown, l)
	}
	for _, row := range t.rows {
		t.writeLine(bw, row, widths, shown, l)
	}
	return bw.Flush()
}

// natural is the width of each column with every value whole.
func (t *Table) natural() []int {
	n := make([]int, len(t.Cols))
	for i, c := range t.Cols {
		n[i] = StringWidth(c.Head)
	}
	for _, row := range t.rows {
		for i, c := range row {
			if i < len(n) {
				n[i] = max(n[i], StringWidth(c.Text))
			}
		}
	}
	return n
}

// fit returns the width of each column and whether it is shown, for lines
// of at most limit cells (0: no limit). The table gives way one step at a
// time, in rank order (Give and Hide share one scale; at the same rank
// columns are shortened before one is left out), and each step is fitted
// from the whole values again: the room a column left out frees goes back
// to the columns shortened before.
func (t *Table) fit(limit int) (widths []int, shown []bool) {
	natural := t.natural()
	shown = make([]bool, len(t.Cols))
	for i := range shown {
		shown[i] = true
	}
	widths = slices.Clone(natural)
	if limit <= 0 || t.lineWidth(widths, shown) <= limit {
		return widths, shown
	}
	type step struct{ rank, hide int } // hide: the column left out, or -1
	var steps []step
	for i, c := range t.Cols {
		if c.Give > 0 && !slices.Contains(steps, step{c.Give, -1}) {
			steps = append(steps, step{c.Give, -1})
		}
		if c.Hide > 0 {
			steps = append(steps, step{c.Hide, i})
		}
	}
	slices.SortStableFunc(steps, func(a, b step) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return a.hide - b.hide // shortening (-1) first
	})
	maxGive := 0
	for _, st := range steps {
		if st.hide >= 0 {
			shown[st.hide] = false
		} else {
			maxGive = st.rank
		}
		widths = slices.Clone(natural)
		excess := t.lineWidth(widths, shown) - limit
		if excess <= 0 || t.shrink(widths, shown, excess, maxGive) <= 0 {
			return widths, shown
		}
	}
	return widths, shown // still too wide: lines are cut at the limit
}

// lineWidth is the width of a line of columns this wide.
func (t *Table) lineWidth(widths []int, shown []bool) int {
	n, cols := StringWidth(t.Indent), 0
	for i, w := range widths {
		if shown[i] {
			n += w
			cols++
		}
	}
	if cols > 1 {
		n += gap * (cols - 1)
	}
	return n
}

// shrink takes up to excess cells from the shown columns that give way
// with a Give up to maxGive, in Give order, the widest of a rank first,
// none below its Min. It returns the excess left.
func (t *Table) shrink(widths []int, shown []bool, excess, maxGive int) int {
	var ranks []int
	for i, c := range t.Cols {
		if shown[i] && c.Give > 0 && c.Give <= maxGive && !slices.Contains(ranks, c.Give) {
			ranks = append(ranks, c.Give)
		}
	}
	slices.Sort(ranks)
	for _, rank := range ranks {
		for excess > 0 {
			widest := -1
			for i, c := range t.Cols {
				if shown[i] && c.Give == rank && widths[i] > t.min(i) && (widest < 0 || widths[i] > widths[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			widths[widest]--
			excess--
		}
	}
	return excess
}

// min is the narrowest column i gets when it gives way.
func (t *Table) min(i int) int {
	if t.Cols[i].Min > 0 {
		return t.Cols[i].Min
	}
	return DefaultMin
}

// writeLine writes one row: each shown cell shortened to its column and
// padded, but for the last; the whole line cut at the layout's width if
// it is still wider.
func (t *Table) writeLine(w *bufio.Writer, row []Cell, widths []int, shown []bool, l Layout) {
	last := -1
	for i := range t.Cols {
		if shown[i] {
			last = i
		}
	}
	var line lineBuilder
	line.add(t.Indent, Plain)
	for i := range t.Cols {
		if !shown[i] {
			continue
		}
		var c Cell
		if i < len(row) {
			c = row[i]
		}
		text := c.Text
		if StringWidth(text) > widths[i] {
			if t.Cols[i].KeepEnd {
				text = TruncateStart(text, widths[i])
			} else {
				text = Truncate(text, widths[i])
			}
		}
		line.add(text, c.Style)
		if i != last {
			line.add(strings.Repeat(" ", widths[i]-StringWidth(text)+gap), Plain)
		}
	}
	line.write(w, l)
}

// lineBuilder is a line as styled spans, so that it can be cut at a width
// without cutting a colour code or counting one.
type lineBuilder struct {
	spans []Cell
}

func (b *lineBuilder) add(s string, st Style) {
	if s != "" {
		b.spans = append(b.spans, Cell{Text: s, Style: st})
	}
}

// write writes the line, cut at l.Width with "…" if it is wider, and a
// newline.
func (b *lineBuilder) write(w *bufio.Writer, l Layout) {
	total := 0
	for _, s := range b.spans {
		total += StringWidth(s.Text)
	}
	cut := l.Width > 0 && total > l.Width
	room := l.Width
	for _, s := range b.spans {
		sw := StringWidth(s.Text)
		if cut && sw >= room {
			// The cut falls in this span (or at its end): it takes
			// what is left of the line, "…" included.
			w.WriteString(l.Paint(Truncate(s.Text+" ", room), s.Style))
			break
		}
		w.WriteString(l.Paint(s.Text, s.Style))
		room -= sw
	}
	w.WriteByte('\n')
}
