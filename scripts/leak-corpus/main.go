// Command leak-corpus runs the leak corpus (internal/leak/testdata) through
// rotor's scanner and compares it with a gitleaks report on the same
// samples, for scripts/bench-leak.sh:
//
//	go run ./scripts/leak-corpus write -dir DIR
//	gitleaks dir DIR --report-format json --report-path REPORT
//	go run ./scripts/leak-corpus table -dir DIR -gitleaks REPORT
//
// write puts every sample in a file of its own (pos-001.yaml, neg-001.yaml),
// so that a finding's file names its sample. table prints, per tool,
// recall (positives found / positives), precision (positives flagged /
// samples flagged), false positives on the negatives, and per kind which
// tool found how many.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/leak/corpus"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: leak-corpus write|table [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := fs.String("dir", "", "folder of sample files")
	corpusDir := fs.String("corpus", "internal/leak/testdata", "folder of positives.tsv and negatives.tsv")
	report := fs.String("gitleaks", "", "gitleaks JSON report (table)")
	_ = fs.Parse(os.Args[2:])
	samples, err := corpus.Load(*corpusDir)
	if err == nil {
		switch os.Args[1] {
		case "write":
			err = write(*dir, samples)
		case "table":
			err = table(os.Stdout, samples, *report)
		default:
			err = fmt.Errorf("unknown command %q", os.Args[1])
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "leak-corpus:", err)
		os.Exit(1)
	}
}

func fileName(i int, s corpus.Sample) string {
	if s.Positive {
		return fmt.Sprintf("pos-%03d.yaml", i)
	}
	return fmt.Sprintf("neg-%03d.yaml", i)
}

func names(samples []corpus.Sample) []string {
	var out []string
	np, nn := 0, 0
	for _, s := range samples {
		if s.Positive {
			np++
			out = append(out, fileName(np, s))
		} else {
			nn++
			out = append(out, fileName(nn, s))
		}
	}
	return out
}

func write(dir string, samples []corpus.Sample) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, name := range names(samples) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(samples[i].Text+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

type finding struct {
	RuleID string
	File   string
}

type tally struct {
	found, flaggedPos, flaggedNeg int
	fps                           []string
}

func table(w io.Writer, samples []corpus.Sample, report string) error {
	data, err := os.ReadFile(report)
	if err != nil {
		return fmt.Errorf("read gitleaks report: %w", err)
	}
	var fs []finding
	if err := json.Unmarshal(data, &fs); err != nil {
		return fmt.Errorf("read gitleaks report %s: %w", report, err)
	}
	glRules := map[string][]string{} // file -> rule ids
	for _, f := range fs {
		b := filepath.Base(f.File)
		if !slices.Contains(glRules[b], f.RuleID) {
			glRules[b] = append(glRules[b], f.RuleID)
		}
	}

	type kindRow struct{ n, rotor, gitleaks int }
	kinds := map[string]*kindRow{}
	kindRules := map[string][]string{}
	var rt, gt tally
	var npos, nneg int
	var rotorMissed []string
	for i, name := range names(samples) {
		s := samples[i]
		res := leak.Scan([]byte(s.Text + "\n"))
		rotorHit := len(res.Matches) > 0
		rotorRight := false
		for _, m := range res.Matches {
			if m.Kind == s.Kind && m.Secret == s.Secret {
				rotorRight = true
			}
		}
		glHit := len(glRules[name]) > 0
		if !s.Positive {
			nneg++
			if rotorHit {
				rt.flaggedNeg++
				rt.fps = append(rt.fps, fmt.Sprintf("%s (%s): %s", name, s.Kind, res.Matches[0].Kind))
			}
			if glHit {
				gt.flaggedNeg++
				gt.fps = append(gt.fps, fmt.Sprintf("%s (%s): %s", name, s.Kind, strings.Join(glRules[name], ",")))
			}
			continue
		}
		npos++
		k := kinds[s.Kind]
		if k == nil {
			k = &kindRow{}
			kinds[s.Kind] = k
		}
		k.n++
		if rotorHit {
			rt.flaggedPos++
		}
		if rotorRight {
			rt.found++
			k.rotor++
		} else {
			rotorMissed = append(rotorMissed, name+" ("+s.Kind+")")
		}
		if glHit {
			gt.flaggedPos++
			gt.found++
			k.gitleaks++
			for _, r := range glRules[name] {
				if !slices.Contains(kindRules[s.Kind], r) {
					kindRules[s.Kind] = append(kindRules[s.Kind], r)
				}
			}
		}
	}

	pct := func(a, b int) string {
		if b == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
	}
	fmt.Fprintf(w, "corpus: %d positives of %d kinds, %d negatives\n\n", npos, len(kinds), nneg)
	fmt.Fprintf(w, "%-34s %-16s %-16s\n", "", "rotor", "gitleaks v8.30.1")
	row := func(label, a, b string) { fmt.Fprintf(w, "%-34s %-16s %-16s\n", label, a, b) }
	row("recall (positives found)", fmt.Sprintf("%d/%d %s", rt.found, npos, pct(rt.found, npos)), fmt.Sprintf("%d/%d %s", gt.found, npos, pct(gt.found, npos)))
	row("precision (true / flagged)", fmt.Sprintf("%d/%d %s", rt.flaggedPos, rt.flaggedPos+rt.flaggedNeg, pct(rt.flaggedPos, rt.flaggedPos+rt.flaggedNeg)),
		fmt.Sprintf("%d/%d %s", gt.flaggedPos, gt.flaggedPos+gt.flaggedNeg, pct(gt.flaggedPos, gt.flaggedPos+gt.flaggedNeg)))
	row("false positives on negatives", fmt.Sprintf("%d/%d", rt.flaggedNeg, nneg), fmt.Sprintf("%d/%d", gt.flaggedNeg, nneg))
	fmt.Fprintln(w)

	order := make([]string, 0, len(kinds))
	for k := range kinds {
		order = append(order, k)
	}
	sort.Strings(order)
	fmt.Fprintf(w, "%-36s %7s %7s %9s  %s\n", "kind", "samples", "rotor", "gitleaks", "gitleaks rules")
	for _, k := range order {
		r := kinds[k]
		fmt.Fprintf(w, "%-36s %7d %7d %9d  %s\n", k, r.n, r.rotor, r.gitleaks, strings.Join(kindRules[k], ","))
	}
	for _, l := range []struct {
		title string
		items []string
	}{{"rotor missed", rotorMissed}, {"rotor false positives", rt.fps}, {"gitleaks false positives", gt.fps}} {
		if len(l.items) > 0 {
			fmt.Fprintf(w, "\n%s:\n  %s\n", l.title, strings.Join(l.items, "\n  "))
		}
	}
	return nil
}
