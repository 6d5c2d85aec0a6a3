package dashboard

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// Input is everything Render reads. The caller (`rotor dashboard`) fills
// it from what `rotor report` and `rotor audit` already compute: it reads
// the register and its history, calls report.Compute and audit.Compute,
// and hands the results over. Render does no I/O and reads no clock.
type Input struct {
	// Register is the register today; required.
	Register *rotation.Register
	// Today is the day the register is evaluated on.
	Today rotation.Date
	// Report is report.Compute of Register on Today with Weeks weeks of
	// trend; required. Its figures (compliance, change since last week,
	// teams, trend, exemptions) are shown as they are.
	Report *report.Report
	// Trend is the snapshots the report was computed from
	// (report.Input.Trend); nil without history. The report counts ok and
	// due together as on time, and counts the whole register only: the
	// snapshots give the stacked trend (ok, due, overdue) and each team's
	// own trend. Every point of Report.Trend before Today needs its
	// snapshot here.
	Trend []report.Snapshot
	// Audit is the audit pack of the history read (its credentials'
	// rotations, on time or late, ticket and commit); nil when history is
	// not available.
	Audit *audit.Pack
	// Warnings are the register's validation warnings (expired exemptions
	// and the like), in the order to show them.
	Warnings []Warning
	// Made is when the site is made: shown on every page, and the DTSTAMP
	// of due.ics. Required.
	Made time.Time
	// Commit is the hash of the commit the register was read from; empty
	// when there is none.
	Commit string
	// HistoryNote says why history is missing, when it is, for people.
	// Report.HistoryNote stands in when it is empty.
	HistoryNote string
	// Public makes a site safe to publish: aggregate figures only, no
	// credential's id, name, owner, system or description in any file.
	Public bool
	// Weeks is the length of the trend asked for (--weeks); it must be
	// the report's TrendWeeks.
	Weeks int
}

// Warning is one validation warning of the register.
type Warning struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Site is a rendered site: every file by its slash-separated path below
// the site's folder.
type Site struct {
	paths []string
	files map[string]file
}

// file is one file of the site: a head it shares with other files (a
// page's <head> up to the end of its stylesheet, the same on every page of
// a kind) and its own body. Sharing the head keeps 4 to 5 kB a page out
// of memory: 45 MB for 10,000 credentials (BenchmarkSite10000).
type file struct {
	head string
	body []byte
}

func (f file) size() int { return len(f.head) + len(f.body) }

// Paths returns the site's files, sorted.
func (s *Site) Paths() []string { return slices.Clone(s.paths) }

// File returns the content of the file at path, or nil when the site has
// none.
func (s *Site) File(path string) []byte {
	f, ok := s.files[path]
	switch {
	case !ok:
		return nil
	case f.head == "":
		return f.body
	}
	return append([]byte(f.head), f.body...)
}

// Size returns the bytes of every file together.
func (s *Site) Size() int {
	n := 0
	for _, f := range s.files {
		n += f.size()
	}
	return n
}

// ErrInput is wrapped by every error of Render: the Input is incomplete or
// its parts do not belong together, a mistake of the caller.
var ErrInput = errors.New("dashboard input")

func inputError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, args...))
}

// Render builds every file of the site in memory. The same Input gives the
// same bytes. Pages are rendered in parallel, one worker per CPU.
func Render(in Input) (*Site, error) {
	m, err := newModel(in)
	if err != nil {
		return nil, err
	}
	jobs := m.jobs()
	out := make([]file, len(jobs))
	errs := make([]error, len(jobs))
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = jobs[i].render()
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()

	s := &Site{files: make(map[string]file, len(jobs))}
	for i, j := range jobs {
		if errs[i] != nil {
			return nil, fmt.Errorf("render %s: %w", j.path, errs[i])
		}
		if _, dup := s.files[j.path]; dup {
			return nil, inputError("two files of the site are named %q", j.path)
		}
		s.files[j.path] = out[i]
		s.paths = append(s.paths, j.path)
	}
	slices.Sort(s.paths)
	return s, nil
}

// job renders one file of the site.
type job struct {
	path   string
	render func() (file, error)
}
