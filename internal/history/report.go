package history

import (
	"context"
	"slices"
	"time"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// ReportWeeks fills in in.Previous and in.Trend for report.Compute: the
// register as it was at the end of the day 7, 14, … 7×weeks days before
// in.Today (and 7 days before for the comparison, even when weeks is 0),
// and in.Unreadable with what of those registers could not be read. A day
// before the register existed ends the walk; when that is the first, and
// a trend was asked for, in.HistoryStart is the day of the register's
// first commit, for the report to say why it has no trend. Errors (ErrShallow among
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
			if k == 1 && weeks > 0 {
				// Younger than a week: the report says since when.
				start, ok, err := h.firstDay(rotation.Days(d.AddDays(1), in.Today, loc))
				if err != nil {
					return err
				}
				if ok {
					in.HistoryStart = start
				}
			}
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

// firstDay is the day, in the register's zone, of the first commit in
// span whose tree holds the register folder; ok is false when none does.
func (h *Reader) firstDay(span rotation.Span) (day rotation.Date, ok bool, err error) {
	commits, err := h.repo.CommitsIn(span) // newest first
	if err != nil {
		return rotation.Date{}, false, err
	}
	for _, c := range slices.Backward(commits) {
		files, err := h.repo.TreeFiles(c.Hash, h.dir)
		if err != nil {
			return rotation.Date{}, false, err
		}
		if len(files) > 0 {
			return rotation.DateOf(c.Committer.When.In(h.loc())), true, nil
		}
	}
	return rotation.Date{}, false, nil
}

// loc is the register's time zone.
func (h *Reader) loc() *time.Location {
	if h.settings.Timezone == nil {
		return time.UTC
	}
	return h.settings.Timezone
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
