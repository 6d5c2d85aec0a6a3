package dashboard

import (
	"strconv"
	"strings"
)

// badge is badge.svg: "credential rotation | 83% on time" for a README,
// green from 95%, amber from 80%, red below, grey without a figure. Its
// text is the figure alone; white on each colour reads at 4.5:1 or more.
func (m *model) badge() ([]byte, error) {
	const label = "credential rotation"
	p := m.in.Report.CompliancePercent
	value, color := "n/a", "#505f79"
	if p != nil {
		value = strconv.Itoa(*p) + "% on time"
		switch {
		case *p >= 95:
			color = "#216e4e"
		case *p >= 80:
			color = "#8a4a0b"
		default:
			color = "#ae2e24"
		}
	}
	lw, vw := textWidth(label)+12, textWidth(value)+12
	w := lw + vw
	itoa := strconv.Itoa
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + itoa(w) + `" height="20" viewBox="0 0 ` + itoa(w) + ` 20" role="img" aria-label="` + label + `: ` + value + `">`)
	b.WriteString(`<title>` + label + `: ` + value + `</title>`)
	b.WriteString(`<rect width="` + itoa(lw) + `" height="20" rx="3" fill="#3b4556"/>`)
	b.WriteString(`<rect x="` + itoa(lw) + `" width="` + itoa(vw) + `" height="20" rx="3" fill="` + color + `"/>`)
	b.WriteString(`<rect x="` + itoa(lw) + `" width="4" height="20" fill="` + color + `"/>`)
	b.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,'DejaVu Sans',sans-serif" font-size="11">`)
	b.WriteString(`<text x="` + itoa(lw/2) + `" y="14">` + label + `</text>`)
	b.WriteString(`<text x="` + itoa(lw+vw/2) + `" y="14">` + value + `</text>`)
	b.WriteString("</g></svg>\n")
	return []byte(b.String()), nil
}

// textWidth estimates the width of s in 11 px Verdana, which is wide: 7
// px for most characters, less for narrow ones.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		switch r {
		case 'i', 'l', 't', 'f', 'j', 'r', ' ', '.', ',', ':', '/':
			w += 4
		case '%', 'm', 'w', 'M', 'W':
			w += 10
		default:
			w += 7
		}
	}
	return w
}
