package dashboard

import (
	"strconv"
	"strings"
)

// A chart is an inline SVG drawn in Go: bars are <rect>s and labels
// <text>s, every colour comes from a class of the page's stylesheet, and
// no value of the register is drawn (a chart holds numbers and dates; its
// title may name a team, as text). Each has a title and a description for
// screen readers (role="img"), and the page shows its data as a table
// beside it.
type chart struct {
	ID          string // unique on its page
	Class       string // chart or spark
	Title, Desc string
	W, H        int // the viewBox
	Lines       []svgLine
	Rects       []svgRect
	Texts       []svgText
}

type svgRect struct {
	X, Y, W, H int
	Class      string
	Title      string // a tooltip; empty: none
}

type svgLine struct {
	X1, Y1, X2, Y2 int
	Class          string
}

type svgText struct {
	X, Y   int
	Anchor string // start, middle or end
	Class  string
	Text   string
}

// Geometry of the large charts, in viewBox units.
const (
	chartW      = 720
	chartH      = 260
	chartLeft   = 44 // room for the y axis' labels
	chartRight  = 8
	chartTop    = 22 // room for the figures above the bars
	chartBottom = 36 // room for the x axis' labels
)

// stack is one bar of a stacked chart: its parts from the bottom up.
type stack struct {
	Label string // under the bar
	Top   string // above the bar, e.g. "83%"; may be empty
	Parts []part
}

type part struct {
	N     int
	Class string
	Title string
}

// barChart draws stacked bars on a common scale with a y axis of counts.
func barChart(id, title, desc string, bars []stack) *chart {
	c := &chart{ID: id, Class: "chart", Title: title, Desc: desc, W: chartW, H: chartH}
	maxN := 0
	for _, b := range bars {
		n := 0
		for _, p := range b.Parts {
			n += p.N
		}
		maxN = max(maxN, n)
	}
	top := niceCeil(maxN)
	plotH := chartH - chartTop - chartBottom
	plotW := chartW - chartLeft - chartRight
	base := chartTop + plotH
	for i := 0; i <= 4; i++ {
		v := top * i / 4
		y := base - plotH*i/4
		c.Lines = append(c.Lines, svgLine{X1: chartLeft, Y1: y, X2: chartW - chartRight, Y2: y, Class: "grid"})
		c.Texts = append(c.Texts, svgText{X: chartLeft - 6, Y: y + 4, Anchor: "end", Class: "axis", Text: strconv.Itoa(v)})
	}
	if len(bars) == 0 {
		return c
	}
	slot := plotW / len(bars)
	barW := max(slot*7/10, 2)
	every := (len(bars) + 12) / 13 // at most 13 labels under the axis
	for i, b := range bars {
		x := chartLeft + i*slot + (slot-barW)/2
		y := base
		for _, p := range b.Parts {
			if p.N == 0 {
				continue
			}
			h := max(plotH*p.N/top, 1)
			y -= h
			c.Rects = append(c.Rects, svgRect{X: x, Y: y, W: barW, H: h, Class: p.Class, Title: p.Title})
		}
		mid := x + barW/2
		if b.Top != "" && len(bars) <= 16 {
			c.Texts = append(c.Texts, svgText{X: mid, Y: y - 5, Anchor: "middle", Class: "val", Text: b.Top})
		}
		if (len(bars)-1-i)%every == 0 {
			c.Texts = append(c.Texts, svgText{X: mid, Y: base + 16, Anchor: "middle", Class: "axis", Text: b.Label})
		}
	}
	return c
}

// sparkline draws compliance percentages as small bars, 0 to 100; a
// point without a figure is a short tick.
func sparkline(id, title, desc string, pcts []*int) *chart {
	const w, h, slot = 96, 24, 10
	c := &chart{ID: id, Class: "spark", Title: title, Desc: desc, W: w, H: h}
	start := w - slot*len(pcts)
	for i, p := range pcts {
		x := start + i*slot + 1
		if p == nil {
			c.Rects = append(c.Rects, svgRect{X: x, Y: h - 2, W: slot - 2, H: 2, Class: "b-ex"})
			continue
		}
		bh := max(*p*(h-2)/100, 1)
		c.Rects = append(c.Rects, svgRect{X: x, Y: h - bh, W: slot - 2, H: bh, Class: "b-next"})
	}
	return c
}

// niceCeil is the smallest of 4, 8, 12, 20, 40, 80, 120, 200, … (four
// grid steps of 1, 2, 3 or 5 times a power of ten) that is at least n.
func niceCeil(n int) int {
	for step := 1; ; step *= 10 {
		for _, f := range []int{1, 2, 3, 5} {
			if 4*f*step >= n {
				return 4 * f * step
			}
		}
	}
}

// pct formats a compliance figure: "83%", or "n/a" when there is none.
func pct(p *int) string {
	if p == nil {
		return "n/a"
	}
	return strconv.Itoa(*p) + "%"
}

// pctList writes figures for a chart's description: "80%, 85%, n/a".
func pctList(ps []*int) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = pct(p)
	}
	return strings.Join(parts, ", ")
}
