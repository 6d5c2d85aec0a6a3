package history

import (
	"context"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// ReportWeeks fills in in.Previous and in.Trend for report.Compute: the
// register as it was at the end of the day 7, 14, … 7×weeks days before
// in.Today (and 7 days before for the comparison, even when weeks is 0),
// and in.Unreadable with what of those registers could not be read. A day
// before the register existed ends the walk. Errors (ErrShallow among
// them) come from the repository; in is then left as it was given.
func (h *Reader) ReportWeeks(ctx context.Context, in *report.Input, weeks int) error {
	loc := h.settings.Timezone // nil: UTC
	var prev *report.Snapshot
	var trend []report.Snapshot
	var unread []report.Unreadable
	for k := 1; k <= max(weeks, 1); k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := in.Today.AddDays(-7 * k)
		reg, found, gaps, err := h.RegisterBefore(d.AddDays(1).Start(loc)) // as it was at the end of d
		if err != nil {
			return err
		}
		if !found {
			break // the register did not exist yet
		}
		unread = append(unread, reportGaps(gaps)...)
		snap := report.Snapshot{Date: d, Register: reg}
		if k == 1 {
			prev = &snap
		}
		if k <= weeks {
			trend = append(trend, snap)
		}
	}
	in.Previous, in.Trend = prev, trend
	in.Unreadable = append(in.Unreadable, unread...)
	return nil
}

// ReportRotations fills in in.Rotated with the rotations of the seven days
// up to in.Today, and adds to in.Unreadable what of the files compared
// could not be read. On an error in is left as it was given.
func (h *Reader) ReportRotations(in *report.Input) error {
	rotated, gaps, err := h.Rotations(rotation.Days(in.Today.AddDays(-6), in.Today, h.settings.Timezone))
	if err != nil {
		return err
	}
	in.Rotated = rotated
	in.Unreadable = append(in.Unreadable, reportGaps(gaps)...)
	return nil
}

// reportGaps are gaps as the report takes them (see auditGaps).
func reportGaps(gaps []gap) []report.Unreadable {
	var out []report.Unreadable
	for _, g := range gaps {
		out = append(out, report.Unreadable{Path: leak.Scrub(g.path), CredentialID: g.id, Commit: g.commit, At: g.at, Reason: leak.Scrub(g.why)})
	}
	return out
}
