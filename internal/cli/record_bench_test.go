package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
	"github.com/rotor-dev/rotor/internal/record"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// offlineRepo is a real repository whose origin is not asked: the
// benchmark measures rotor, not the network.
type offlineRepo struct {
	*gitrepo.Repo
	head string
}

func (r offlineRepo) RemoteBranch(_ context.Context, branch string) (string, error) {
	if branch == "main" {
		return r.head, nil
	}
	return "", nil
}

func (offlineRepo) Push(context.Context, string, string) error { return nil }

type benchTickets struct{ t rotation.Ticket }

func (b benchTickets) LocatedTicket(context.Context, string) (rotation.Ticket, string, string, error) {
	return b.t, "SEC", rotation.DefaultIssueType, nil
}
func (benchTickets) Comments(context.Context, string) ([]string, error) { return nil, nil }
func (benchTickets) Comment(context.Context, string, string) error      { return nil }

type benchHost struct{}

func (benchHost) DefaultBranch(context.Context) (string, error) { return "main", nil }
func (benchHost) PullRequests(context.Context, string) ([]rotation.PullRequest, error) {
	return nil, nil
}
func (benchHost) CreatePullRequest(_ context.Context, pr rotation.NewPullRequest) (rotation.PullRequest, error) {
	return rotation.PullRequest{Number: 1, URL: "https://github.example/pull/1", State: "open", Head: pr.Head, Base: pr.Base}, nil
}
func (benchHost) UpdatePullRequest(context.Context, int, string, string) (rotation.PullRequest, error) {
	return rotation.PullRequest{}, nil
}

// BenchmarkRecord10000 is rotor record on a register of 10,000 credentials
// in 100 files, network excluded: validate the register, ask the
// (in-memory) tracker, edit the one file at HEAD, validate it, build the
// commit. The target is under 0.5 s.
func BenchmarkRecord10000(b *testing.B) {
	gittest.Require(b)
	dir := b.TempDir()
	root := filepath.Join(dir, "credential_rotation")
	if err := os.MkdirAll(root, 0o755); err != nil {
		b.Fatal(err)
	}
	for f := range 100 {
		var s strings.Builder
		s.WriteString("credentials:\n")
		for i := range 100 {
			fmt.Fprintf(&s, "  - id: cred-%03d-%03d # team %d\n    name: Credential %d of file %d\n    owner: owner%d@example.com\n"+
				"    team: team-%d\n    period_days: 90\n    last_changed: 2026-09-01\n    runbook: https://wiki.example.com/runbooks/cred-%d-%d\n\n",
				f, i, f, i, f, i, f, f, i)
		}
		if err := os.WriteFile(filepath.Join(root, fmt.Sprintf("team-%03d.yaml", f)), []byte(s.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	gittest.Git(b, dir, "init", "-q", "-b", "main")
	gittest.Git(b, dir, "add", "-A")
	gittest.Git(b, dir, "commit", "-q", "-m", "register")
	gittest.Git(b, dir, "remote", "add", "origin", "https://github.example/acme/register.git")
	repo, err := gitrepo.Open(dir, gitrepo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	head, err := repo.Head()
	if err != nil {
		b.Fatal(err)
	}
	deps := record.Deps{
		Tickets: benchTickets{rotation.Ticket{Key: "SEC-42", Labels: []string{"rotor", "rotor-cred-099-099"},
			StatusCategory: rotation.CategoryDone, DoneAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}},
		Host: benchHost{},
		Repo: offlineRepo{Repo: repo, head: head},
	}
	env := Env{Now: func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res, err := requireValid(ctx, newFactory(env), registerOptions{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		v, _ := validator()
		r, err := record.Run(ctx, deps, record.Config{
			Register: res.Register, Today: res.Today, Project: "SEC",
			Author: rotation.Signature{Name: "rotor", Email: "rotor@users.noreply.github.com"},
			Check: func(path string, data []byte) []register.Finding {
				_, fs := v.ValidateFile(path, data, res.Register.Settings, res.Today)
				return fs
			},
		}, record.Request{IssueKey: "SEC-42"})
		if err != nil || r.Outcome != record.OutcomeRecorded {
			b.Fatalf("%v %+v", err, r)
		}
	}
}
