package verify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/setting"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// Defaults of the verify: settings in rotor.yaml.
const (
	DefaultToleranceDays = 1
	DefaultConcurrency   = 16
)

// Options say how Run asks the stores.
type Options struct {
	Today         rotation.Date
	Location      *time.Location // the register's time zone; nil means UTC
	ToleranceDays int
	Concurrency   int           // checks in flight at once; <= 0 means DefaultConcurrency
	Timeout       time.Duration // bound of one credential's check; <= 0 means none beyond the context's
	// Checkers ask each kind of store. A credential whose kind has no
	// checker gets an error verdict saying rotor cannot ask that store.
	Checkers map[rotation.SourceKind]Checker
	// Progress, when set, is called after each check with the number done
	// and the total, from one goroutine at a time.
	Progress func(done, total int)
}

// Result is the verdict on one credential.
type Result struct {
	ID          string
	Source      *rotation.Source
	Verdict     Verdict
	LastChanged rotation.Date
	StoreDate   rotation.Date // zero when the store could not say
	// Detail says why, in one line: the evidence for confirmed, what the
	// store showed for unrecorded and unconfirmed, what failed and what to
	// do for error.
	Detail      string
	Reason      Reason // for error only
	Warnings    []string
	Observation *Observation // nil for error
	Pos         rotation.Position
}

// Report is the outcome of one run.
type Report struct {
	Today    rotation.Date
	Results  []Result // the credentials with a source, sorted by id
	NoSource []string // ids of the credentials that name no store, sorted
	Counts   map[Verdict]int
}

// Failed reports whether any result fails the run.
func (r *Report) Failed() bool {
	return r.Counts[VerdictError] > 0 || r.Counts[VerdictUnconfirmed] > 0
}

// Run checks every credential in creds that names a source, at most
// Concurrency at a time, and returns the verdicts. One store failing never
// stops the others: its credentials get error verdicts. Run returns early
// only when ctx ends, with the verdicts so far and ctx's error.
func Run(ctx context.Context, creds []*rotation.Credential, o Options) (*Report, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	rep := &Report{Today: o.Today, Counts: map[Verdict]int{}}
	var todo []*rotation.Credential
	for _, c := range creds {
		if c.Source.Kind() == "" {
			rep.NoSource = append(rep.NoSource, c.ID)
			continue
		}
		todo = append(todo, c)
	}
	slices.Sort(rep.NoSource)
	rep.Counts[VerdictNoSource] = len(rep.NoSource)

	results := make([]Result, len(todo))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	sem := make(chan struct{}, o.Concurrency)
feed:
	for i, c := range todo {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break feed
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = check(ctx, c, o)
			if o.Progress != nil {
				mu.Lock()
				done++
				o.Progress(done, len(todo))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.ID == "" { // never started: ctx ended
			continue
		}
		rep.Results = append(rep.Results, r)
		rep.Counts[r.Verdict]++
	}
	slices.SortFunc(rep.Results, func(a, b Result) int { return cmp.Compare(a.ID, b.ID) })
	return rep, ctx.Err()
}

// check asks c's store and judges the answer.
func check(ctx context.Context, c *rotation.Credential, o Options) Result {
	r := Result{ID: c.ID, Source: c.Source, LastChanged: c.LastChanged, Pos: c.Source.Pos}
	if r.Pos.File == "" {
		r.Pos = c.Pos
	}
	kind := c.Source.Kind()
	checker := o.Checkers[kind]
	if checker == nil {
		r.Verdict, r.Reason = VerdictError, ReasonConfig
		r.Detail = fmt.Sprintf("rotor cannot ask %s stores in this build or with these settings", kind)
		return r
	}
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	obs, err := checker.Check(ctx, c.Source)
	if err != nil {
		r.Verdict, r.Reason, r.Detail = VerdictError, ReasonOf(err), errorDetail(err)
		return r
	}
	r.Observation = &obs
	r.Warnings = obs.Warnings
	r.Verdict, r.StoreDate = Judge(obs.Changed, c.LastChanged, o.ToleranceDays, o.Location)
	switch r.Verdict {
	case VerdictConfirmed:
		r.Detail = obs.Evidence
	case VerdictUnrecorded:
		r.Detail = fmt.Sprintf("the store shows a version written on %s, %s after last_changed %s (%s): "+
			"record that rotation in the register, or find out who rotated the secret",
			r.StoreDate, textsafe.Days(c.LastChanged.DaysUntil(r.StoreDate)), c.LastChanged, obs.Evidence)
	case VerdictUnconfirmed:
		r.Detail = fmt.Sprintf("the register says it was rotated on %s, but the store's current version was written on %s, %s earlier (%s): "+
			"rotate the secret in the store, or correct last_changed",
			c.LastChanged, r.StoreDate, textsafe.Days(r.StoreDate.DaysUntil(c.LastChanged)), obs.Evidence)
	}
	return r
}

// errorDetail is the one line an error verdict shows: a StoreError's
// detail, or what a deadline or transport failure means.
func errorDetail(err error) string {
	if se, ok := errors.AsType[*StoreError](err); ok {
		return se.Detail
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "the store did not answer in time: check that it is reachable from here, or raise --timeout"
	}
	return "the store could not be asked: " + setting.RedactError(err).Error()
}
