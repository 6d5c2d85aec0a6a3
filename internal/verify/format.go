package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rotor-dev/rotor/internal/markdown"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// Listed returns the results in the order people read them: the ones that
// need attention first (error, unconfirmed, unrecorded), then confirmed;
// by id within each verdict.
func (r *Report) Listed() []Result {
	out := slices.Clone(r.Results)
	slices.SortStableFunc(out, func(a, b Result) int { return rank(a.Verdict) - rank(b.Verdict) })
	return out
}

func rank(v Verdict) int { return slices.Index(Verdicts, v) }

// CountsLine is the one-line summary every format leads with:
// "1 error, 2 unconfirmed, 0 unrecorded, 5 confirmed, 3 no-source".
func (r *Report) CountsLine() string {
	parts := make([]string, 0, len(Verdicts))
	for _, v := range Verdicts {
		n := r.Counts[v]
		switch v {
		case VerdictError:
			parts = append(parts, textsafe.Plural(n, "error", "errors"))
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	return strings.Join(parts, ", ")
}

// WriteText writes the report for a terminal or a log: the counts, then one
// block per credential, the ones that need attention first.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "rotor verify %s: %s\n", r.Today, r.CountsLine())
	for _, res := range r.Listed() {
		fmt.Fprintf(&b, "\n%-11s %s  %s\n", res.Verdict, textsafe.Value(res.ID), textsafe.Value(res.Source.String()))
		fmt.Fprintf(&b, "            last_changed %s", res.LastChanged)
		if !res.StoreDate.IsZero() {
			fmt.Fprintf(&b, ", store %s", res.StoreDate)
		}
		b.WriteString("\n")
		if res.Detail != "" {
			fmt.Fprintf(&b, "            %s\n", textsafe.Value(res.Detail))
		}
		for _, warn := range res.Warnings {
			fmt.Fprintf(&b, "            warning: %s\n", textsafe.Value(warn))
		}
	}
	if len(r.NoSource) > 0 {
		fmt.Fprintf(&b, "\n%s no source (add source: to verify them): %s\n",
			noSourceCount(len(r.NoSource)), textsafe.Value(strings.Join(r.NoSource, ", ")))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the report as GitHub-flavoured Markdown (the job
// summary): the counts, then a table, the ones that need attention first.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## rotor verify, %s\n\n%s\n\n", r.Today, r.CountsLine())
	if len(r.Results) > 0 {
		rows := make([][]string, 0, len(r.Results))
		for _, res := range r.Listed() {
			detail := res.Detail
			for _, warn := range res.Warnings {
				detail += " Warning: " + warn
			}
			store := "–"
			if !res.StoreDate.IsZero() {
				store = res.StoreDate.String()
			}
			rows = append(rows, []string{
				"**" + string(res.Verdict) + "**", markdown.Code(res.ID), markdown.Text(res.Source.String()),
				res.LastChanged.String(), store, markdown.Text(detail),
			})
		}
		markdown.Table(&b, []markdown.Column{
			{Head: "verdict"}, {Head: "credential"}, {Head: "source"}, {Head: "last_changed"}, {Head: "store"}, {Head: "detail"},
		}, rows)
	}
	if len(r.NoSource) > 0 {
		codes := make([]string, len(r.NoSource))
		for i, id := range r.NoSource {
			codes[i] = markdown.Code(id)
		}
		fmt.Fprintf(&b, "\n%s no source: %s\n", noSourceCount(len(r.NoSource)), strings.Join(codes, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// noSourceCount is "1 credential names" or "3 credentials name".
func noSourceCount(n int) string {
	if n == 1 {
		return "1 credential names"
	}
	return fmt.Sprintf("%d credentials name", n)
}

type jsonReport struct {
	Today    string         `json:"today"`
	Results  []jsonResult   `json:"results"`
	NoSource []string       `json:"no_source"`
	Counts   map[string]int `json:"counts"`
}

type jsonResult struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Source      string   `json:"source"`
	Verdict     string   `json:"verdict"`
	LastChanged string   `json:"last_changed"`
	StoreDate   *string  `json:"store_date"`
	Detail      string   `json:"detail"`
	Reason      string   `json:"reason,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
}

// WriteJSON writes the report as one JSON document: today, the results
// sorted by id (dates as YYYY-MM-DD, store_date null when the store could
// not say), the ids without a source, and the count of every verdict.
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{
		Today:    r.Today.String(),
		Results:  make([]jsonResult, 0, len(r.Results)),
		NoSource: r.NoSource,
		Counts:   make(map[string]int, len(Verdicts)),
	}
	if out.NoSource == nil {
		out.NoSource = []string{}
	}
	for _, v := range Verdicts {
		out.Counts[string(v)] = r.Counts[v]
	}
	for _, res := range r.Results {
		jr := jsonResult{
			ID: res.ID, Kind: string(res.Source.Kind()), Source: res.Source.String(), Verdict: string(res.Verdict),
			LastChanged: res.LastChanged.String(), Detail: res.Detail, Reason: string(res.Reason), Warnings: res.Warnings,
		}
		if !res.StoreDate.IsZero() {
			d := res.StoreDate.String()
			jr.StoreDate = &d
		}
		out.Results = append(out.Results, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
