package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/reconcile"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// recorder is a rotation.Tracker that records the writes it gets and fails
// those named in fail ("create db-admin", "comment SEC-1", "update SEC-1").
type recorder struct {
	calls  []string
	fail   map[string]error
	next   int
	cancel func() // called after the nth write, when set
	after  int

	comments map[string][]string // the comments of each ticket, by key
	reads    []string            // "comments SEC-1" for each read of them
}

func (r *recorder) call(name string) error {
	r.calls = append(r.calls, name)
	if r.cancel != nil && len(r.calls) == r.after {
		r.cancel()
	}
	return r.fail[name]
}

func (r *recorder) OpenTickets(context.Context) ([]rotation.Ticket, error) { return nil, nil }
func (r *recorder) Ticket(context.Context, string) (rotation.Ticket, error) {
	return rotation.Ticket{}, errors.New("not used")
}

func (r *recorder) Create(_ context.Context, t rotation.NewTicket) (string, error) {
	if err := r.call("create " + t.CredentialID); err != nil {
		return "", err
	}
	r.next++
	return fmt.Sprintf("SEC-%d", 100+r.next), nil
}

func (r *recorder) Update(_ context.Context, key string, u rotation.TicketUpdate) error {
	return r.call("update " + key + " " + strings.Join(u.AddLabels, ","))
}

func (r *recorder) Comment(_ context.Context, key, _ string) error {
	return r.call("comment " + key)
}

func (r *recorder) Comments(_ context.Context, key string) ([]string, error) {
	r.reads = append(r.reads, "comments "+key)
	return r.comments[key], r.fail["comments "+key]
}

// fullPlan plans a create, an update, an escalate and an orphan.
func fullPlan() *reconcile.Plan {
	stale := ticket("SEC-1", dueCred())
	stale.DueDate = date("2026-02-01")
	return reconcile.Compute(register("High", dueCred(), overdueCred(), monthEndCred()), today, []rotation.Ticket{
		stale, ticket("SEC-2", overdueCred()), ticket("SEC-3", cred("gone-key", "2025-01-01", 30)),
	})
}

func TestApply(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name      string
		fail      map[string]error
		wantCalls []string
		wantKeys  []string
		wantErrs  []string // substrings; "" for success
	}{
		{
			name: "every action runs in plan order",
			wantCalls: []string{
				"create month-end", "update SEC-1 ", "comment SEC-2", "update SEC-2 rotor-overdue",
				"comment SEC-3", "update SEC-3 rotor-orphaned",
			},
			wantKeys: []string{"SEC-101", "SEC-1", "SEC-2", "SEC-3"},
			wantErrs: []string{"", "", "", ""},
		},
		{
			name: "a failure does not stop the other actions",
			fail: map[string]error{"create month-end": errBoom, "update SEC-1 ": errBoom},
			wantCalls: []string{
				"create month-end", "update SEC-1 ", "comment SEC-2", "update SEC-2 rotor-overdue",
				"comment SEC-3", "update SEC-3 rotor-orphaned",
			},
			wantKeys: []string{"", "SEC-1", "SEC-2", "SEC-3"},
			wantErrs: []string{"boom", "boom", "", ""},
		},
		{
			name:      "a failed comment leaves the ticket unmarked, so the next run tries again",
			fail:      map[string]error{"comment SEC-2": errBoom, "comment SEC-3": errBoom},
			wantCalls: []string{"create month-end", "update SEC-1 ", "comment SEC-2", "comment SEC-3"},
			wantKeys:  []string{"SEC-101", "SEC-1", "SEC-2", "SEC-3"},
			wantErrs:  []string{"", "", "boom", "boom"},
		},
		{
			name: "a failed marking after the comment says so",
			fail: map[string]error{"update SEC-2 rotor-overdue": errBoom},
			wantCalls: []string{
				"create month-end", "update SEC-1 ", "comment SEC-2", "update SEC-2 rotor-overdue",
				"comment SEC-3", "update SEC-3 rotor-orphaned",
			},
			wantKeys: []string{"SEC-101", "SEC-1", "SEC-2", "SEC-3"},
			wantErrs: []string{"", "", "the comment is there, but marking the ticket failed (the next run marks it, without commenting again)", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &recorder{fail: tt.fail}
			p := fullPlan()
			var progressed []reconcile.Result
			rs := reconcile.Apply(context.Background(), tr, p, func(r reconcile.Result) { progressed = append(progressed, r) })
			if !slices.Equal(tr.calls, tt.wantCalls) {
				t.Errorf("calls:\n got %q\nwant %q", tr.calls, tt.wantCalls)
			}
			if len(rs) != len(p.Actions) || len(progressed) != len(rs) {
				t.Fatalf("%d results, %d progress calls for %d actions", len(rs), len(progressed), len(p.Actions))
			}
			failed := 0
			for i, r := range rs {
				if r.Key != tt.wantKeys[i] {
					t.Errorf("result %d key = %q, want %q", i, r.Key, tt.wantKeys[i])
				}
				if r.Action.Kind != p.Actions[i].Kind || r.Action.CredentialID != p.Actions[i].CredentialID {
					t.Errorf("result %d is for %s %s, want %s %s", i, r.Action.Kind, r.Action.CredentialID, p.Actions[i].Kind, p.Actions[i].CredentialID)
				}
				switch want := tt.wantErrs[i]; {
				case want == "" && r.Err != nil:
					t.Errorf("result %d: unexpected error %v", i, r.Err)
				case want != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), want) || !errors.Is(r.Err, errBoom)):
					t.Errorf("result %d: error %v, want one saying %q and wrapping boom", i, r.Err, want)
				}
				if r.Err != nil {
					failed++
				}
				if progressed[i].Key != r.Key || progressed[i].Err != r.Err {
					t.Errorf("progress %d = %+v, result %+v", i, progressed[i], r)
				}
			}
			if len(rs.Failed()) != failed {
				t.Errorf("Failed() = %d results, want %d", len(rs.Failed()), failed)
			}
		})
	}
}

func TestApplyStopsStartingActionsOnceCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := &recorder{cancel: cancel, after: 2}
	rs := reconcile.Apply(ctx, tr, fullPlan(), nil)
	if want := []string{"create month-end", "update SEC-1 "}; !slices.Equal(tr.calls, want) {
		t.Errorf("calls = %q, want %q", tr.calls, want)
	}
	if len(rs) != 4 {
		t.Fatalf("%d results", len(rs))
	}
	for i, r := range rs {
		if (i < 2) != (r.Err == nil) {
			t.Errorf("result %d: err = %v", i, r.Err)
		}
		if i >= 2 && !errors.Is(r.Err, context.Canceled) {
			t.Errorf("result %d: err = %v, want context.Canceled", i, r.Err)
		}
	}
}

func TestApplyEmptyPlan(t *testing.T) {
	tr := &recorder{}
	p := reconcile.Compute(register(""), today, nil)
	if rs := reconcile.Apply(context.Background(), tr, p, nil); len(rs) != 0 || len(tr.calls) != 0 {
		t.Errorf("results %v, calls %v", rs, tr.calls)
	}
}

func TestResultString(t *testing.T) {
	p := fullPlan()
	tests := []struct {
		r    reconcile.Result
		want string
	}{
		{reconcile.Result{Action: p.Actions[0], Key: "SEC-14"}, "created SEC-14 for month-end"},
		{reconcile.Result{Action: p.Actions[0], Err: errors.New("400\nBad")}, "FAILED to create a ticket for month-end: 400 Bad"},
		{reconcile.Result{Action: p.Actions[1], Key: "SEC-1"}, "updated SEC-1 (db-admin)"},
		{reconcile.Result{Action: p.Actions[2], Key: "SEC-2"}, "escalated SEC-2 (vpn-psk)"},
		{reconcile.Result{Action: p.Actions[3], Key: "SEC-3", Err: errors.New("403")}, "FAILED to orphan SEC-3 (gone-key): 403"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// TestApplyFindsItsOwnComment: before it comments, Apply reads the
// ticket's comments, and a comment of rotor's that carries the action's
// marker is not posted again (its answer was lost, or the marking after
// it failed); the marking still happens.
func TestApplyFindsItsOwnComment(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name      string
		comments  map[string][]string
		fail      map[string]error
		wantCalls []string
		wantErrs  []string
	}{
		{
			name: "both comments are there",
			comments: map[string][]string{
				"SEC-2": {"a person's comment", "Vpn psk (vpn-psk) is overdue by 27 days.\n\nrotor:escalation vpn-psk 2026-01-30"},
				"SEC-3": {"The credential gone-key is no longer in the rotation register.\n\nrotor:orphaned gone-key"},
			},
			wantCalls: []string{"create month-end", "update SEC-1 ", "update SEC-2 rotor-overdue", "update SEC-3 rotor-orphaned"},
			wantErrs:  []string{"", "", "", ""},
		},
		{
			name: "an escalation of another due date, and a person quoting the marker, do not count",
			comments: map[string][]string{
				"SEC-2": {"overdue\n\nrotor:escalation vpn-psk 2025-10-31"},
				"SEC-3": {"why did rotor say rotor:orphaned gone-key?"},
			},
			wantCalls: []string{"create month-end", "update SEC-1 ", "comment SEC-2", "update SEC-2 rotor-overdue", "comment SEC-3", "update SEC-3 rotor-orphaned"},
			wantErrs:  []string{"", "", "", ""},
		},
		{
			name:      "comments that cannot be read: no comment, no marking",
			fail:      map[string]error{"comments SEC-2": errBoom},
			wantCalls: []string{"create month-end", "update SEC-1 ", "comment SEC-3", "update SEC-3 rotor-orphaned"},
			wantErrs:  []string{"", "", "boom", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &recorder{comments: tt.comments, fail: tt.fail}
			rs := reconcile.Apply(context.Background(), tr, fullPlan(), nil)
			if !slices.Equal(tr.calls, tt.wantCalls) {
				t.Errorf("calls:\n got %q\nwant %q", tr.calls, tt.wantCalls)
			}
			if want := []string{"comments SEC-2", "comments SEC-3"}; !slices.Equal(tr.reads, want) {
				t.Errorf("reads = %q, want %q", tr.reads, want)
			}
			for i, r := range rs {
				switch want := tt.wantErrs[i]; {
				case want == "" && r.Err != nil:
					t.Errorf("result %d: unexpected error %v", i, r.Err)
				case want != "" && !errors.Is(r.Err, errBoom):
					t.Errorf("result %d: error %v, want boom", i, r.Err)
				}
			}
		})
	}
}
