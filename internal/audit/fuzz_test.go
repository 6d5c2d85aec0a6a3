package audit

import (
	"fmt"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// FuzzCompute replays histories made from arbitrary bytes and checks what
// must hold for any history: the figures add up, every day is counted at
// most once per credential, and events and observations are in order.
func FuzzCompute(f *testing.F) {
	f.Add([]byte{0, 10, 3, 1, 20, 2, 5, 200, 7})
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	f.Add([]byte{255, 0, 128, 64, 32, 16, 8, 4, 2, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := historyFrom(data)
		p := Compute(in)
		days := in.From.DaysUntil(in.To) + 1
		s := p.Summary
		if s.OnTime+s.Late != s.Rotations || s.Credentials != len(p.Credentials) || s.Observations != len(p.Observations) {
			t.Fatalf("figures do not add up: %+v", s)
		}
		rotations := 0
		for _, e := range p.Events {
			if e.Type == EventRotation {
				rotations++
				if *e.DaysLate < 0 || !e.NewLastChanged.After(*e.OldLastChanged) {
					t.Fatalf("rotation %+v", e)
				}
			}
		}
		if rotations != s.Rotations {
			t.Fatalf("%d rotation events, summary says %d", rotations, s.Rotations)
		}
		sum := 0
		for _, c := range p.Credentials {
			if c.OverdueDays+c.ExemptionDays > days || c.OverdueDays < 0 || c.ExemptionDays < 0 {
				t.Fatalf("%s: %d overdue and %d exempt days in a period of %d", c.ID, c.OverdueDays, c.ExemptionDays, days)
			}
			sum += c.OverdueDays
		}
		if sum != s.OverdueDays {
			t.Fatalf("overdue days: credentials sum to %d, summary says %d", sum, s.OverdueDays)
		}
		if l := s.LongestOverdue; l != nil && (l.Days > s.OverdueDays || l.From.After(l.To) || l.From.Before(in.From) || l.To.After(in.To)) {
			t.Fatalf("longest stretch %+v", l)
		}
		for i := 1; i < len(p.Events); i++ {
			if p.Events[i].Date.Before(p.Events[i-1].Date) {
				t.Fatalf("events out of order at %d", i)
			}
		}
		for _, e := range p.Events {
			if e.Date.Before(in.From) || e.Date.After(in.To) {
				t.Fatalf("event on %s outside the period", e.Date)
			}
		}
	})
}

// historyFrom makes a history of up to three credentials from data: each
// byte pair is a commit that changes one credential's last_changed, period
// or exemption, or removes or adds it, a few days after the last commit.
func historyFrom(data []byte) Input {
	from := rotation.MustParseDate("2026-01-01")
	in := Input{From: from, To: from.AddDays(89)}
	cur := map[string]*rotation.Credential{}
	for i := range 3 {
		id := fmt.Sprintf("c%d", i)
		cur[id] = &rotation.Credential{ID: id, Owner: id + "@example.com", PeriodDays: 30, LastChanged: from.AddDays(-20 * i)}
		in.Baseline = append(in.Baseline, cur[id])
	}
	when := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for k := 0; k+1 < len(data) && k < 200; k += 2 {
		op, arg := data[k], int(data[k+1])
		id := fmt.Sprintf("c%d", op%3)
		when = when.Add(time.Duration(arg%72) * time.Hour)
		old := cur[id]
		var n *rotation.Credential
		if old != nil {
			c := *old
			n = &c
		}
		switch op / 3 % 5 {
		case 0: // last_changed moves, either way
			if n != nil {
				n.LastChanged = n.LastChanged.AddDays(arg%60 - 20)
				n.LastTicket = fmt.Sprintf("SEC-%d", k)
			}
		case 1:
			if n != nil {
				n.PeriodDays = 1 + arg%90
			}
		case 2:
			if n != nil {
				if n.Exemption == nil {
					n.Exemption = &rotation.Exemption{Until: rotation.DateOf(when).AddDays(arg % 40), ApprovedBy: "ciso@example.com"}
				} else {
					n.Exemption = nil
				}
			}
		case 3:
			n = nil
		case 4:
			if n == nil {
				n = &rotation.Credential{ID: id, Owner: id + "@example.com", PeriodDays: 1 + arg%60, LastChanged: rotation.DateOf(when).AddDays(-arg % 30)}
			}
		}
		var oldList, newList []*rotation.Credential
		if old != nil {
			oldList = list(old)
		}
		if n != nil {
			newList = list(n)
		}
		cur[id] = n
		sig := rotation.Signature{Name: "A", When: when}
		in.Commits = append(in.Commits, Commit{Hash: fmt.Sprint(k), Author: sig, Committer: sig, Files: []FileChange{change(id+".yaml", oldList, newList)}})
	}
	return in
}
