package audit

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// Compute turns a register's history into the evidence pack. It is pure:
// the same Input gives the same Pack.
//
// The register on a day is the register at the end of that day in the
// register's zone: a commit counts from the day it was committed, and the
// last commit of a day decides how the day is counted. A credential is
// overdue on a day after its due date (last_changed + period_days) unless
// an exemption covers the day (until included), as `rotor status` rates
// it.
func Compute(in Input) *Pack {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	notice := in.NoticeDays
	if notice == 0 {
		notice = rotation.DefaultNoticeDays
	}
	c := &computation{in: in, loc: loc, notice: notice, creds: map[string]*track{}}
	for _, cr := range in.Baseline {
		if t := c.creds[cr.ID]; t != nil && t.cur != nil {
			continue // a duplicate id: the first entry counts, as for the register
		}
		t := c.track(cr.ID)
		t.cur, t.last, t.since = cr, cr, in.From
	}
	for _, u := range in.BaselineUnreadable {
		c.unreadable(u, in.From, " (a version from before the period, in force when it began)")
	}
	day := in.From
	for i := range in.Commits {
		cm := &in.Commits[i]
		d := rotation.DateOf(cm.Committer.When.In(loc))
		// History is walked in first-parent order; a commit whose clock is
		// behind its parent's counts from the parent's day, so that days
		// are never counted twice.
		if d.Before(day) {
			d = day
		}
		if d.After(in.To) {
			d = in.To
		}
		day = d
		c.commit(cm, d)
	}
	for _, t := range c.creds {
		if t.cur != nil {
			c.account(t, t.since, in.To)
		}
	}
	return c.pack()
}

// track is one credential's state while the history is replayed.
type track struct {
	id    string
	cur   *rotation.Credential // the entry as it is now; nil while absent
	last  *rotation.Credential // the last entry seen, for the pack
	since rotation.Date        // the first day cur counts for

	addedIn, removedIn string
	rotations, late    int
	overdueDays        int
	exemptionDays      int
	run                *Stretch // the overdue stretch running into the next day
	longest            *Stretch
	exemptions         []ExemptionPeriod
	// grantedIn remembers, per exemption, the commit that granted it in
	// the period ("" for one in force when the period began).
	grantedIn map[rotation.Exemption]string
}

type computation struct {
	in     Input
	loc    *time.Location
	notice int
	creds  map[string]*track
	events []Event
	obs    []Observation
}

func (c *computation) track(id string) *track {
	t := c.creds[id]
	if t == nil {
		t = &track{id: id, grantedIn: map[rotation.Exemption]string{}}
		c.creds[id] = t
	}
	return t
}

// commit replays one commit, which counts from day d.
func (c *computation) commit(cm *Commit, d rotation.Date) {
	for _, u := range cm.Unreadable {
		c.unreadable(u, d, "")
	}
	before, after := map[string]*rotation.Credential{}, map[string]*rotation.Credential{}
	var ids []string
	for _, f := range cm.Files {
		for _, cr := range f.Old {
			if _, ok := before[cr.ID]; !ok {
				before[cr.ID] = cr
				ids = append(ids, cr.ID)
			}
		}
		for _, cr := range f.New {
			if _, ok := after[cr.ID]; !ok {
				after[cr.ID] = cr
				if _, seen := before[cr.ID]; !seen {
					ids = append(ids, cr.ID)
				}
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		t := c.track(id)
		n := after[id]
		o := t.cur
		switch {
		case o == nil && n == nil:
			continue
		case o != nil && n != nil && same(o, n):
			t.cur = n // moved or reformatted: nothing an auditor needs
			continue
		}
		if o != nil {
			c.account(t, t.since, d.AddDays(-1))
		}
		t.since = d
		switch {
		case o == nil:
			c.added(t, cm, d, n)
		case n == nil:
			c.removed(t, cm, d, o)
		default:
			c.changed(t, cm, d, o, n)
		}
		t.cur = n
		if n != nil {
			t.last = n
		}
	}
}

// same reports whether two entries agree on everything the pack follows.
func same(a, b *rotation.Credential) bool {
	return a.LastChanged == b.LastChanged && a.PeriodDays == b.PeriodDays && sameExemption(a.Exemption, b.Exemption) &&
		a.Name == b.Name && a.Team == b.Team && a.Owner == b.Owner && a.LastTicket == b.LastTicket
}

func sameExemption(a, b *rotation.Exemption) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func (c *computation) added(t *track, cm *Commit, d rotation.Date, n *rotation.Credential) {
	if t.addedIn == "" {
		t.addedIn = cm.Hash
	}
	t.removedIn = ""
	ev := c.event(EventAdded, n.ID, cm, d)
	ev.NewPeriodDays = ptr(n.PeriodDays)
	ev.NewLastChanged = ptr(n.LastChanged)
	c.events = append(c.events, ev)
	if n.LastChanged.After(d) {
		c.observe(ObsFutureDate, n.ID, cm, d, "added with last_changed "+n.LastChanged.String()+", after the day it was committed ("+d.String()+")")
	}
	if n.Exemption != nil {
		c.exemption(t, cm, d, n, ExemptionGranted)
	}
}

func (c *computation) removed(t *track, cm *Commit, d rotation.Date, o *rotation.Credential) {
	t.removedIn = cm.Hash
	t.run = nil
	ev := c.event(EventRemoved, o.ID, cm, d)
	ev.OldPeriodDays = ptr(o.PeriodDays)
	ev.OldLastChanged = ptr(o.LastChanged)
	c.events = append(c.events, ev)
}

func (c *computation) changed(t *track, cm *Commit, d rotation.Date, o, n *rotation.Credential) {
	switch n.LastChanged.Compare(o.LastChanged) {
	case 1:
		c.rotation(t, cm, d, o, n)
	case -1:
		c.observe(ObsBackdated, n.ID, cm, d, "last_changed moved back from "+o.LastChanged.String()+" to "+n.LastChanged.String()+": not counted as a rotation")
	}
	if n.PeriodDays != o.PeriodDays {
		ev := c.event(EventPolicy, n.ID, cm, d)
		ev.OldPeriodDays, ev.NewPeriodDays = ptr(o.PeriodDays), ptr(n.PeriodDays)
		c.events = append(c.events, ev)
		if n.PeriodDays > o.PeriodDays {
			if st := c.evaluate(o, d).Status; st == rotation.StatusDue || st == rotation.StatusOverdue {
				c.observe(ObsPeriodRaisedDue, n.ID, cm, d, "period_days raised from "+strconv.Itoa(o.PeriodDays)+" to "+strconv.Itoa(n.PeriodDays)+
					" while the credential was "+string(st)+" (due "+o.NextDue().String()+")")
			}
		}
	}
	if !sameExemption(o.Exemption, n.Exemption) {
		action := ExemptionChanged
		switch {
		case o.Exemption == nil:
			action = ExemptionGranted
		case n.Exemption == nil:
			action = ExemptionWithdrawn
		}
		c.exemption(t, cm, d, n, action)
	}
}

func (c *computation) rotation(t *track, cm *Commit, d rotation.Date, o, n *rotation.Credential) {
	due := o.NextDue()
	late := max(due.DaysUntil(n.LastChanged), 0)
	recorded := recordedByRotor(cm.Recorded, n.ID)
	ev := c.event(EventRotation, n.ID, cm, d)
	ev.OldLastChanged, ev.NewLastChanged, ev.DueDate = ptr(o.LastChanged), ptr(n.LastChanged), ptr(due)
	ev.DaysLate, ev.Ticket, ev.RecordedByRotor = ptr(late), ptr(n.LastTicket), ptr(recorded)
	c.events = append(c.events, ev)
	t.rotations++
	if late > 0 {
		t.late++
	}
	if n.LastChanged.After(d) {
		c.observe(ObsFutureDate, n.ID, cm, d, "last_changed set to "+n.LastChanged.String()+", after the day it was committed ("+d.String()+")")
	}
	switch {
	case n.LastTicket == "":
		c.observe(ObsNoTicket, n.ID, cm, d, "rotated to "+n.LastChanged.String()+" without a ticket (last_ticket is not set)")
	case n.LastTicket == o.LastTicket:
		c.observe(ObsNoTicket, n.ID, cm, d, "rotated to "+n.LastChanged.String()+" without a new ticket (last_ticket is still "+n.LastTicket+", the previous rotation's)")
	}
	if !recorded {
		c.observe(ObsHandEdit, n.ID, cm, d, "last_changed changed by hand, not by a rotor record commit (no Rotor-Ticket trailer)")
	}
}

// recordedByRotor reports whether trailers hold a `rotor record` commit
// for credential id.
func recordedByRotor(trailers []Trailer, id string) bool {
	for _, tr := range trailers {
		if tr.Ticket != "" && (tr.Credential == "" || tr.Credential == id) {
			return true
		}
	}
	return false
}

func (c *computation) exemption(t *track, cm *Commit, d rotation.Date, n *rotation.Credential, action string) {
	ev := c.event(EventExemption, n.ID, cm, d)
	ev.Action = action
	if e := n.Exemption; e != nil {
		ev.Until, ev.Reason, ev.ApprovedBy = ptr(e.Until), ptr(e.Reason), ptr(e.ApprovedBy)
		if _, ok := t.grantedIn[*e]; !ok {
			t.grantedIn[*e] = cm.Hash
		}
		if sameAddress(e.ApprovedBy, n.Owner) {
			c.observe(ObsSelfApproved, n.ID, cm, d, "exemption until "+e.Until.String()+" approved by the credential's own owner ("+e.ApprovedBy+")")
		}
	}
	c.events = append(c.events, ev)
}

func sameAddress(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && strings.EqualFold(a, b)
}

// evaluate rates cr on day d as `rotor status` would.
func (c *computation) evaluate(cr *rotation.Credential, d rotation.Date) rotation.Evaluation {
	e := *cr
	if e.NoticeDays == 0 {
		e.NoticeDays = c.notice
	}
	return e.Evaluate(d)
}

// account counts the days from a to b (both included) on which t held
// its current entry: exempt days, overdue days, and the overdue stretch.
func (c *computation) account(t *track, a, b rotation.Date) {
	if b.Before(a) {
		return
	}
	cr := t.cur
	overdueFrom := cr.NextDue().AddDays(1)
	if e := cr.Exemption; e != nil && !e.Until.Before(a) {
		exemptTo := minDate(e.Until, b)
		t.exemptionDays += a.DaysUntil(exemptTo) + 1
		t.noteExemption(*e)
		overdueFrom = maxDate(overdueFrom, e.Until.AddDays(1))
	}
	lo := maxDate(a, overdueFrom)
	if lo.After(b) {
		t.run = nil
		return
	}
	t.overdueDays += lo.DaysUntil(b) + 1
	if t.run != nil && t.run.To.AddDays(1) == lo {
		t.run.To = b
	} else {
		t.run = &Stretch{CredentialID: t.id, From: lo, To: b}
	}
	t.run.Days = t.run.From.DaysUntil(t.run.To) + 1
	if t.longest == nil || t.run.Days > t.longest.Days {
		s := *t.run
		t.longest = &s
	}
}

// noteExemption lists e among the exemptions active in the period, once.
func (t *track) noteExemption(e rotation.Exemption) {
	for _, x := range t.exemptions {
		if x.Until == e.Until && x.Reason == e.Reason && x.ApprovedBy == e.ApprovedBy {
			return
		}
	}
	p := ExemptionPeriod{Until: e.Until, Reason: e.Reason, ApprovedBy: e.ApprovedBy}
	if h := t.grantedIn[e]; h != "" {
		p.Commit = ptr(h)
	}
	t.exemptions = append(t.exemptions, p)
}

func (c *computation) event(typ, id string, cm *Commit, d rotation.Date) Event {
	return Event{
		Type:         typ,
		CredentialID: id,
		Date:         d,
		Time:         cm.Committer.When.In(c.loc).Format(time.RFC3339),
		Commit:       cm.Hash,
		Author:       person(cm.Author),
		MergedBy:     cm.MergedBy,
		PR:           pullRequest(cm.Subject),
		Subject:      cm.Subject,
	}
}

func (c *computation) observe(kind, id string, cm *Commit, d rotation.Date, msg string) {
	c.obs = append(c.obs, Observation{Kind: kind, CredentialID: id, Date: d, Commit: cm.Hash, Message: msg})
}

// unreadable observes a version or entry that could not be read, on day
// d; note follows the commit.
func (c *computation) unreadable(u Unreadable, d rotation.Date, note string) {
	o := Observation{Kind: ObsUnreadableFile, CredentialID: u.CredentialID, Date: d, Commit: u.Commit}
	if u.CredentialID == "" {
		o.Message = u.Path + " at commit " + rotation.ShortHash(u.Commit) + note + " " + u.Reason +
			"; the pack keeps its last readable version (if any) until the file reads again"
	} else {
		o.Kind = ObsUnreadableEntry
		o.Message = u.Path + " at commit " + rotation.ShortHash(u.Commit) + note + ": the entry of " + u.CredentialID + " " + u.Reason +
			"; the pack keeps its last readable entry (if any) until it reads again"
	}
	c.obs = append(c.obs, o)
}

func person(s rotation.Signature) string {
	if s.Email == "" {
		return s.Name
	}
	return s.Name + " <" + s.Email + ">"
}

var (
	mergeTitle  = regexp.MustCompile(`^Merge pull request #([0-9]{1,9}) from `)
	squashTitle = regexp.MustCompile(`\(#([0-9]{1,9})\)\s*$`)
)

// pullRequest is the number of the pull request a commit's title names:
// GitHub's "Merge pull request #12 from …" or a squash title ending
// "(#12)"; nil for any other title.
func pullRequest(subject string) *int {
	m := mergeTitle.FindStringSubmatch(subject)
	if m == nil {
		m = squashTitle.FindStringSubmatch(subject)
	}
	if m == nil {
		return nil
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return nil
	}
	return &n
}

func (c *computation) pack() *Pack {
	p := &Pack{From: c.in.From, To: c.in.To, Provenance: c.in.Provenance}
	if n := len(c.in.Commits); n > 0 {
		p.FirstCommit, p.LastCommit = ptr(c.in.Commits[0].Hash), ptr(c.in.Commits[n-1].Hash)
	}
	if c.in.BaselineCommit != "" {
		p.BaselineCommit = ptr(c.in.BaselineCommit)
	}
	ids := make([]string, 0, len(c.creds))
	for id, t := range c.creds {
		if t.last == nil && t.cur == nil {
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	s := &p.Summary
	p.Credentials = make([]Credential, 0, len(ids))
	s.Missed = []string{}
	for _, id := range ids {
		t := c.creds[id]
		last := t.cur
		if last == nil {
			last = t.last
		}
		cr := Credential{
			ID: id, Name: last.Name, Team: last.Team, Owner: last.Owner, PeriodDays: last.PeriodDays,
			LastChanged: last.LastChanged, NextDue: last.NextDue(),
			Rotations: t.rotations, Late: t.late, OverdueDays: t.overdueDays, ExemptionDays: t.exemptionDays,
			Exemptions: t.exemptions, Source: last.Source,
		}
		if cr.Exemptions == nil {
			cr.Exemptions = []ExemptionPeriod{}
		}
		if t.addedIn != "" {
			cr.AddedIn = ptr(t.addedIn)
		}
		if t.removedIn != "" {
			cr.RemovedIn = ptr(t.removedIn)
		}
		if t.cur != nil && c.evaluate(t.cur, c.in.To).Status == rotation.StatusOverdue {
			cr.Missed = true
			s.Missed = append(s.Missed, id)
		}
		p.Credentials = append(p.Credentials, cr)
		s.Rotations += t.rotations
		s.Late += t.late
		s.OverdueDays += t.overdueDays
		s.ExemptionDays += t.exemptionDays
		if t.longest != nil && (s.LongestOverdue == nil || t.longest.Days > s.LongestOverdue.Days) {
			l := *t.longest
			s.LongestOverdue = &l
		}
	}
	s.Credentials = len(p.Credentials)
	s.OnTime = s.Rotations - s.Late
	if s.Rotations > 0 {
		s.OnTimePercent = ptr(s.OnTime * 100 / s.Rotations)
	}
	p.Events = sortByDay(c.events, func(e Event) (rotation.Date, string) { return e.Date, e.CredentialID })
	p.Observations = sortByDay(c.obs, func(o Observation) (rotation.Date, string) { return o.Date, o.CredentialID })
	s.Observations = len(p.Observations)
	return p
}

// sortByDay orders xs by date, then credential id, keeping history order
// among equals; it never returns nil, so JSON shows [].
func sortByDay[T any](xs []T, key func(T) (rotation.Date, string)) []T {
	if xs == nil {
		return []T{}
	}
	slices.SortStableFunc(xs, func(a, b T) int {
		da, ia := key(a)
		db, ib := key(b)
		if c := da.Compare(db); c != 0 {
			return c
		}
		return strings.Compare(ia, ib)
	})
	return xs
}

func ptr[T any](v T) *T { return &v }

func minDate(a, b rotation.Date) rotation.Date {
	if a.Before(b) {
		return a
	}
	return b
}

func maxDate(a, b rotation.Date) rotation.Date {
	if a.After(b) {
		return a
	}
	return b
}
