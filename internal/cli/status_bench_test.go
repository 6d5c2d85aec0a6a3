package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/register/registertest"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/validate"
)

// BenchmarkStatusJSON evaluates, sorts and writes 10,000 credentials as
// JSON: the part of rotor status that comes after validation.
func BenchmarkStatusJSON(b *testing.B) {
	dir := b.TempDir()
	if _, err := registertest.Generate(dir, 10000, 100); err != nil {
		b.Fatal(err)
	}
	v, err := validate.New()
	if err != nil {
		b.Fatal(err)
	}
	today := rotation.MustParseDate("2026-11-27")
	res, err := v.Validate(context.Background(), validate.Options{Root: dir, Today: today, Now: time.Now()})
	if err != nil || res.Errors() > 0 {
		b.Fatal(err, res.Findings)
	}
	b.ReportAllocs()
	for b.Loop() {
		rows := report.StatusRows(res.Register, today, nil, nil)
		if err := writeStatusJSON(io.Discard, rows); err != nil {
			b.Fatal(err)
		}
	}
}

// writeStatusJSON must write exactly what encoding/json writes.
func TestStatusJSONMatchesEncodingJSON(t *testing.T) {
	rows := []report.StatusRow{
		{ID: "a", Name: `quotes " and \ backslash <b>&`, Owner: "o@example.com", File: "f.yaml", Line: 3,
			PeriodDays: 90, NoticeDays: 14, LastChanged: rotation.MustParseDate("2026-01-31"),
			NextDueDate: rotation.MustParseDate("2026-05-01"), DaysLeft: -3, Status: rotation.StatusOverdue,
			Criticality: "high", LastTicket: "SEC-1"},
		{ID: "b", Name: "tab\there, newline\nthere, control \x01, bad \xff, line sep \u2028, café ☃", Team: "t",
			Status: rotation.StatusOK},
		{ID: "c", Status: rotation.StatusExempt, DaysLeft: -60,
			Exemption: &report.StatusExemption{Until: rotation.MustParseDate("2027-01-31")}},
	}
	var got bytes.Buffer
	if err := writeStatusJSON(&got, rows); err != nil {
		t.Fatal(err)
	}
	want, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want)+"\n" {
		t.Fatalf("got:\n%s\nwant:\n%s", got.String(), want)
	}
	got.Reset()
	if err := writeStatusJSON(&got, nil); err != nil || got.String() != "[]\n" {
		t.Fatalf("empty: %q, %v", got.String(), err)
	}
}
