package audit

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/verify"
)

// The marks a rotation gets from its credential's secret store (rotor
// audit --verify). A rotation of a credential without a source gets none.
const (
	// MarkConfirmed: the store keeps a version written within
	// verify.tolerance_days of the rotation's date.
	MarkConfirmed = "confirmed"
	// MarkUnconfirmed: the store keeps versions from before the rotation,
	// and none written within the tolerance of it.
	MarkUnconfirmed = "unconfirmed"
	// MarkBeyondRetention: the rotation is older than the oldest version
	// the store still keeps, less the tolerance: it cannot say.
	MarkBeyondRetention = "beyond-retention"
	// MarkNotKept: the store keeps no history (IAM access keys, TLS): only
	// its current version, compared with the newest rotation.
	MarkNotKept = "not-kept"
	// MarkError: the store could not be asked.
	MarkError = "error"
)

// Marks lists every mark, in the order the summary counts them.
var Marks = []string{MarkConfirmed, MarkUnconfirmed, MarkBeyondRetention, MarkNotKept, MarkError}

// RotationMark is what a store's versions say about one rotation.
type RotationMark struct {
	Mark string
	// Version is the version that confirms the rotation (Confirmed only).
	// For a store that keeps no history it is the current version, with
	// no ID (the observation's evidence names it).
	Version *verify.Version
	// Nearest is, for an unconfirmed or beyond-retention rotation, the
	// version whose date is nearest the rotation's (at equal distance the
	// older), and NearestConfirms the date of the rotation it confirms
	// instead, if any. For a store without history, the current version,
	// given to the newest rotation only.
	Nearest         *verify.Version
	NearestConfirms *rotation.Date
}

// MarkRotations marks the rotations of one credential, given by their
// dates (the new last_changed of each), against what its store keeps.
// Dates are compared as verify.Judge compares them: the day a version was
// written in loc (the register's time zone) against the rotation's date,
// within toleranceDays either way. The marks are returned in the order of
// dates.
//
// A version confirms at most one rotation: two rotations recorded a day
// apart and one version in the store are one rotation the store saw and
// one it did not. Of the ways to pair rotations with versions within the
// tolerance, rotor takes one that confirms the most rotations and, among
// those, whose paired dates lie closest together (at equal distance, the
// older version). A rotation left without a version is beyond retention
// when it is older than the oldest version kept, less the tolerance, and
// unconfirmed otherwise.
//
// A store that keeps no history (obs.Versions empty) can only be compared
// on its current version (obs.Changed): the newest rotation is confirmed
// when that version is within the tolerance of it, unconfirmed when that
// version is older, and not kept when it is newer (a later rotation
// replaced it); every older rotation is not kept.
func MarkRotations(dates []rotation.Date, obs verify.Observation, toleranceDays int, loc *time.Location) []RotationMark {
	if loc == nil {
		loc = time.UTC
	}
	marks := make([]RotationMark, len(dates))
	if len(dates) == 0 {
		return marks
	}
	if len(obs.Versions) == 0 {
		newest := 0
		for i, d := range dates {
			if !d.Before(dates[newest]) {
				newest = i
			}
		}
		for i := range marks {
			marks[i].Mark = MarkNotKept
		}
		current := &verify.Version{Created: obs.Changed, Current: true}
		switch v, _ := verify.Judge(obs.Changed, dates[newest], toleranceDays, loc); v {
		case verify.VerdictConfirmed:
			marks[newest] = RotationMark{Mark: MarkConfirmed, Version: current}
		case verify.VerdictUnconfirmed:
			marks[newest] = RotationMark{Mark: MarkUnconfirmed, Nearest: current}
		default:
			marks[newest].Nearest = current
		}
		return marks
	}

	// Rotations and versions in date order (stable, so that equal dates
	// keep the order given: the store's, oldest first).
	rot := order(len(dates), func(a, b int) int { return dates[a].Compare(dates[b]) })
	vs := obs.Versions
	vdate := make([]rotation.Date, len(vs))
	for i, v := range vs {
		vdate[i] = rotation.DateOf(v.Created.In(loc))
	}
	ver := order(len(vs), func(a, b int) int { return cmp.Or(vdate[a].Compare(vdate[b]), vs[a].Created.Compare(vs[b].Created)) })
	dist := func(i, j int) int { return abs(dates[rot[i]].DaysUntil(vdate[ver[j]])) }

	// best[i][j] is the best pairing of rot[i:] with ver[j:]. Pairings
	// that do not cross are enough: with one tolerance for every
	// rotation, two crossed pairs can be swapped without leaving it or
	// moving the dates further apart.
	type score struct{ pairs, dist int }
	better := func(a, b score) bool { return a.pairs > b.pairs || a.pairs == b.pairs && a.dist < b.dist }
	n, m := len(rot), len(ver)
	best := make([][]score, n+1)
	move := make([][]byte, n+1) // 'p' pair, 'v' skip the version, 'r' skip the rotation
	for i := range best {
		best[i], move[i] = make([]score, m+1), make([]byte, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m; j >= 0; j-- {
			s, mv := best[i+1][j], byte('r')
			if j < m {
				if d := dist(i, j); d <= toleranceDays {
					if p := (score{best[i+1][j+1].pairs + 1, best[i+1][j+1].dist + d}); better(p, s) || p == s {
						s, mv = p, 'p'
					}
				}
				if skip := best[i][j+1]; better(skip, s) {
					s, mv = skip, 'v'
				}
			}
			best[i][j], move[i][j] = s, mv
		}
	}
	pairedWith := make([]int, n) // index into ver, or -1
	confirms := make([]int, m)   // index into rot, or -1
	for k := range confirms {
		confirms[k] = -1
	}
	for i, j := 0, 0; i < n; {
		switch move[i][j] {
		case 'p':
			pairedWith[i], confirms[j] = j, i
			i, j = i+1, j+1
		case 'v':
			j++
		default:
			pairedWith[i] = -1
			i++
		}
	}

	oldest := vdate[ver[0]]
	for i, r := range rot {
		d := dates[r]
		if j := pairedWith[i]; j >= 0 {
			marks[r] = RotationMark{Mark: MarkConfirmed, Version: &vs[ver[j]]}
			continue
		}
		mk := RotationMark{Mark: MarkUnconfirmed}
		if d.DaysUntil(oldest) > toleranceDays {
			mk.Mark = MarkBeyondRetention
		}
		near := 0
		for j := range ver {
			if dist(i, j) < dist(i, near) {
				near = j
			}
		}
		mk.Nearest = &vs[ver[near]]
		if c := confirms[near]; c >= 0 {
			mk.NearestConfirms = &dates[rot[c]]
		}
		marks[r] = mk
	}
	return marks
}

// order returns the indexes 0..n-1 sorted stably by compare.
func order(n int, compare func(a, b int) int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, compare)
	return idx
}

func abs(n int) int { return max(n, -n) }

// Sourced returns the credentials whose stores rotor audit --verify asks:
// those with a source and a rotation in the period, by id, each with its
// source as the register names it at the end of the period, as verify.Run
// takes them.
func (p *Pack) Sourced() []*rotation.Credential {
	var cs []*rotation.Credential
	for _, c := range p.Credentials {
		if c.Source.Kind() != "" && c.Rotations > 0 {
			cs = append(cs, &rotation.Credential{ID: c.ID, LastChanged: c.LastChanged, Source: c.Source})
		}
	}
	return cs
}

// CheckStores adds what the secret stores said (results, one a credential,
// as verify.Run returns them) to the pack: each asked credential's store,
// each of its rotations' mark (MarkRotations, dates in loc) and an
// observation for each unconfirmed one, and the counts. Rotations of a
// credential not in results carry no mark. A second call replaces what the
// first added.
func (p *Pack) CheckStores(results []verify.Result, check StoreCheck, loc *time.Location) {
	if loc == nil {
		loc = time.UTC
	}
	p.Stores = &check
	p.Observations = slices.DeleteFunc(p.Observations, func(o Observation) bool { return o.Kind == ObsStoreUnconfirmed })
	byID := make(map[string]*verify.Result, len(results))
	for i := range results {
		byID[results[i].ID] = &results[i]
	}
	for i := range p.Credentials {
		c := &p.Credentials[i]
		c.Store = nil
		r := byID[c.ID]
		if r == nil {
			continue
		}
		st := &CredentialStore{Source: r.Source.String()}
		if o := r.Observation; o != nil {
			st.Evidence = o.Evidence
			if len(o.Versions) > 0 {
				st.VersionsKept = ptr(len(o.Versions))
			}
		} else {
			st.Evidence, st.Reason = r.Detail, string(r.Reason)
		}
		c.Store = st
	}

	rotations := map[string][]*Event{}
	var ids []string
	for i := range p.Events {
		e := &p.Events[i]
		e.StoreMark, e.StoreVersion, e.StoreVersionCreated, e.StoreDetail = "", "", "", ""
		if e.Type != EventRotation || e.NewLastChanged == nil {
			continue
		}
		if rotations[e.CredentialID] == nil {
			ids = append(ids, e.CredentialID)
		}
		rotations[e.CredentialID] = append(rotations[e.CredentialID], e)
	}
	counts := &StoreMarks{}
	for _, id := range ids {
		es, r := rotations[id], byID[id]
		if r == nil {
			counts.NoSource += len(es)
			continue
		}
		if r.Observation == nil {
			for _, e := range es {
				e.StoreMark, e.StoreDetail = MarkError, r.Detail
				counts.Error++
			}
			continue
		}
		dates := make([]rotation.Date, len(es))
		for i, e := range es {
			dates[i] = *e.NewLastChanged
		}
		kind := r.Source.Kind()
		for i, m := range MarkRotations(dates, *r.Observation, check.ToleranceDays, loc) {
			e := es[i]
			e.StoreMark = m.Mark
			if v := m.Version; v != nil {
				e.StoreVersion, e.StoreVersionCreated = v.ID, stamp(v.Created, loc)
			}
			e.StoreDetail = markDetail(m, dates[i], kind, r.Observation.Evidence, check.ToleranceDays, loc)
			switch m.Mark {
			case MarkConfirmed:
				counts.Confirmed++
			case MarkUnconfirmed:
				counts.Unconfirmed++
				p.Observations = append(p.Observations, Observation{Kind: ObsStoreUnconfirmed, CredentialID: id, Date: e.Date,
					Commit: e.Commit, Message: r.Source.String() + " does not show the rotation to " + dates[i].String() + ": " + e.StoreDetail})
			case MarkBeyondRetention:
				counts.BeyondRetention++
			case MarkNotKept:
				counts.NotKept++
			}
		}
	}
	p.Summary.StoreMarks = counts
	p.Observations = sortByDay(p.Observations, func(o Observation) (rotation.Date, string) { return o.Date, o.CredentialID })
	p.Summary.Observations = len(p.Observations)
}

// markDetail says in one line why a rotation on d got mark m.
func markDetail(m RotationMark, d rotation.Date, kind rotation.SourceKind, evidence string, toleranceDays int, loc *time.Location) string {
	// apart says when day is, counted from d.
	apart := func(v *verify.Version) string {
		n := d.DaysUntil(rotation.DateOf(v.Created.In(loc)))
		switch {
		case n > 0:
			return textsafe.Days(n) + " after " + d.String()
		case n < 0:
			return textsafe.Days(-n) + " before " + d.String()
		}
		return "the same day as " + d.String()
	}
	name := func(v *verify.Version) string {
		if v.ID == "" {
			return "the current version, created " + stamp(v.Created, loc) + " (" + evidence + ")"
		}
		return "version " + v.ID + ", created " + stamp(v.Created, loc)
	}
	switch m.Mark {
	case MarkConfirmed:
		return name(m.Version) + ": " + apart(m.Version)
	case MarkUnconfirmed:
		if m.Nearest.ID == "" {
			return name(m.Nearest) + ", " + apart(m.Nearest) + ", and " + string(kind) + " keeps no older versions"
		}
		s := "no version written within " + textsafe.Days(toleranceDays) + " of " + d.String() + " (verify.tolerance_days): the nearest, " +
			name(m.Nearest) + ", is " + apart(m.Nearest)
		if m.NearestConfirms != nil {
			s += " and confirms the rotation to " + m.NearestConfirms.String()
		}
		return s
	case MarkBeyondRetention:
		return "older than every version the store keeps: the oldest, " + name(m.Nearest) + ", is " + apart(m.Nearest)
	case MarkNotKept:
		if m.Nearest != nil {
			return name(m.Nearest) + ", is " + apart(m.Nearest) + ": a later change replaced this rotation's version, and " +
				string(kind) + " keeps no history"
		}
		return string(kind) + " keeps no history: only its current version is compared, with the newest rotation"
	}
	return ""
}

// stamp is an instant as RFC 3339 in the register's zone.
func stamp(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339Nano) }

// String is the counts in one line: "3 confirmed, 1 unconfirmed, 0 beyond
// retention, 1 not kept, 0 errors; 2 rotations without a source".
func (m *StoreMarks) String() string {
	s := strconv.Itoa(m.Confirmed) + " confirmed, " + strconv.Itoa(m.Unconfirmed) + " unconfirmed, " +
		strconv.Itoa(m.BeyondRetention) + " beyond retention, " + strconv.Itoa(m.NotKept) + " not kept, " +
		textsafe.Plural(m.Error, "error", "errors")
	if m.NoSource > 0 {
		s += "; " + textsafe.Plural(m.NoSource, "rotation", "rotations") + " without a source"
	}
	return s
}
