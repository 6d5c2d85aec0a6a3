package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/golden"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// fakeChecker answers from a table keyed by the source's one-line name and
// records how many checks ran at once.
type fakeChecker struct {
	answers  map[string]Observation
	errs     map[string]error
	delay    time.Duration
	inFlight atomic.Int32
	maxSeen  atomic.Int32
	calls    atomic.Int32
}

func (f *fakeChecker) Check(ctx context.Context, src *rotation.Source) (Observation, error) {
	f.calls.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxSeen.Load()
		if n <= m || f.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return Observation{}, ctx.Err()
		}
	}
	key := src.String()
	if err, ok := f.errs[key]; ok {
		return Observation{}, err
	}
	obs, ok := f.answers[key]
	if !ok {
		return Observation{}, Errorf(ReasonNotFound, nil, "no secret %s", key)
	}
	return obs, nil
}

func vault(path string) *rotation.Source {
	return &rotation.Source{VaultKV: &rotation.VaultKVSource{Mount: "secret", Path: path},
		Pos: rotation.Position{File: "credential_rotation/payments.yaml", Line: 7, Column: 5}}
}

func cred(id, last string, src *rotation.Source) *rotation.Credential {
	return &rotation.Credential{ID: id, LastChanged: rotation.MustParseDate(last), PeriodDays: 90, Source: src,
		Pos: rotation.Position{File: "credential_rotation/payments.yaml", Line: 3, Column: 5}}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func sampleRun(t *testing.T) *Report {
	t.Helper()
	fc := &fakeChecker{
		answers: map[string]Observation{
			"vault_kv secret/a": {Changed: at("2026-09-01T08:00:00Z"), Evidence: "version 4 created 2026-09-01T08:00:00Z"},
			"vault_kv secret/b": {Changed: at("2026-10-20T08:00:00Z"), Evidence: "version 9 created 2026-10-20T08:00:00Z"},
			"vault_kv secret/c": {Changed: at("2026-06-01T08:00:00Z"), Evidence: "version 2 created 2026-06-01T08:00:00Z",
				Warnings: []string{"the current version is the only one kept"}},
		},
		errs: map[string]error{
			"vault_kv secret/d": Errorf(ReasonAccessDenied, errors.New("403"), "permission denied: the token's policy needs read on secret/metadata/d"),
		},
	}
	creds := []*rotation.Credential{
		cred("e-not-there", "2026-09-01", vault("e")),
		cred("d-denied", "2026-09-01", vault("d")),
		cred("c-claimed", "2026-09-01", vault("c")),
		cred("b-out-of-band", "2026-09-01", vault("b")),
		cred("a-fine", "2026-09-01", vault("a")),
		cred("z-untracked", "2026-09-01", nil),
		cred("f-azure", "2026-09-01", &rotation.Source{AzureKeyVault: &rotation.AzureKeyVaultSource{Vault: "https://acme.vault.azure.net", Secret: "x"}}),
	}
	rep, err := Run(context.Background(), creds, Options{
		Today: rotation.MustParseDate("2026-12-07"), ToleranceDays: 1,
		Checkers: map[rotation.SourceKind]Checker{rotation.SourceVaultKV: fc},
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestRunVerdicts(t *testing.T) {
	rep := sampleRun(t)
	want := map[string]Verdict{
		"a-fine": VerdictConfirmed, "b-out-of-band": VerdictUnrecorded, "c-claimed": VerdictUnconfirmed,
		"d-denied": VerdictError, "e-not-there": VerdictError, "f-azure": VerdictError,
	}
	var ids []string
	for _, r := range rep.Results {
		ids = append(ids, r.ID)
		if r.Verdict != want[r.ID] {
			t.Errorf("%s: verdict %s, want %s (%s)", r.ID, r.Verdict, want[r.ID], r.Detail)
		}
	}
	if got := strings.Join(ids, " "); got != "a-fine b-out-of-band c-claimed d-denied e-not-there f-azure" {
		t.Errorf("results not sorted by id: %s", got)
	}
	if len(rep.NoSource) != 1 || rep.NoSource[0] != "z-untracked" {
		t.Errorf("NoSource = %v", rep.NoSource)
	}
	wantCounts := map[Verdict]int{VerdictConfirmed: 1, VerdictUnrecorded: 1, VerdictUnconfirmed: 1, VerdictError: 3, VerdictNoSource: 1}
	for v, n := range wantCounts {
		if rep.Counts[v] != n {
			t.Errorf("Counts[%s] = %d, want %d", v, rep.Counts[v], n)
		}
	}
	if !rep.Failed() {
		t.Error("a report with errors and unconfirmed must fail")
	}
	byID := map[string]Result{}
	for _, r := range rep.Results {
		byID[r.ID] = r
	}
	if r := byID["d-denied"]; r.Reason != ReasonAccessDenied || !strings.Contains(r.Detail, "policy needs read") {
		t.Errorf("d-denied: reason %s, detail %q", r.Reason, r.Detail)
	}
	if r := byID["f-azure"]; r.Reason != ReasonConfig || !strings.Contains(r.Detail, "azure_key_vault") {
		t.Errorf("f-azure: reason %s, detail %q", r.Reason, r.Detail)
	}
	if r := byID["b-out-of-band"]; r.StoreDate.String() != "2026-10-20" || !strings.Contains(r.Detail, "49 days after last_changed 2026-09-01 (version 9") {
		t.Errorf("b-out-of-band: store %s, detail %q", r.StoreDate, r.Detail)
	}
	if r := byID["c-claimed"]; !strings.Contains(r.Detail, "92 days earlier") || len(r.Warnings) != 1 {
		t.Errorf("c-claimed: detail %q, warnings %v", r.Detail, r.Warnings)
	}
	if r := byID["a-fine"]; r.Pos.Line != 7 || r.Observation == nil {
		t.Errorf("a-fine: the result must point at the source: line (7) and keep the observation: %+v", r)
	}
}

func TestRunConfirmedOnlyPasses(t *testing.T) {
	fc := &fakeChecker{answers: map[string]Observation{"vault_kv secret/a": {Changed: at("2026-09-01T08:00:00Z")}}}
	rep, err := Run(context.Background(), []*rotation.Credential{cred("a", "2026-09-02", vault("a")), cred("b", "2026-09-02", nil)},
		Options{ToleranceDays: 1, Checkers: map[rotation.SourceKind]Checker{rotation.SourceVaultKV: fc}})
	if err != nil || rep.Failed() {
		t.Fatalf("err %v, failed %v: confirmed and no-source must not fail", err, rep.Failed())
	}
}

func TestRunBoundsConcurrencyAndReportsProgress(t *testing.T) {
	fc := &fakeChecker{answers: map[string]Observation{}, delay: 5 * time.Millisecond}
	var creds []*rotation.Credential
	for i := range 40 {
		id := fmt.Sprintf("c%02d", i)
		fc.answers["vault_kv secret/"+id] = Observation{Changed: at("2026-09-01T00:00:00Z")}
		creds = append(creds, cred(id, "2026-09-01", vault(id)))
	}
	var (
		mu    sync.Mutex
		steps []int
	)
	rep, err := Run(context.Background(), creds, Options{Concurrency: 3,
		Checkers: map[rotation.SourceKind]Checker{rotation.SourceVaultKV: fc},
		Progress: func(done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if total != 40 {
				t.Errorf("progress total %d", total)
			}
			steps = append(steps, done)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if got := fc.maxSeen.Load(); got > 3 || got < 2 {
		t.Errorf("at most %d checks ran at once, want 2..3", got)
	}
	if fc.calls.Load() != 40 || rep.Counts[VerdictConfirmed] != 40 {
		t.Errorf("calls %d, confirmed %d; want 40 each", fc.calls.Load(), rep.Counts[VerdictConfirmed])
	}
	if len(steps) != 40 || steps[39] != 40 {
		t.Errorf("progress steps %v", steps)
	}
}

func TestRunTimeoutIsAnErrorVerdictNotAStop(t *testing.T) {
	slow := &fakeChecker{answers: map[string]Observation{"vault_kv secret/slow": {}}, delay: time.Minute}
	fast := &fakeChecker{answers: map[string]Observation{"tls api.example.com:443": {Changed: at("2026-09-01T00:00:00Z")}}}
	creds := []*rotation.Credential{
		cred("slow", "2026-09-01", vault("slow")),
		cred("fast", "2026-09-01", &rotation.Source{TLS: &rotation.TLSSource{Endpoint: "api.example.com:443"}}),
	}
	rep, err := Run(context.Background(), creds, Options{Timeout: 20 * time.Millisecond,
		Checkers: map[rotation.SourceKind]Checker{rotation.SourceVaultKV: slow, rotation.SourceTLS: fast}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts[VerdictConfirmed] != 1 || rep.Counts[VerdictError] != 1 {
		t.Fatalf("counts %v: the slow store must fail alone", rep.Counts)
	}
	if r := rep.Results[1]; r.ID != "slow" || !strings.Contains(r.Detail, "did not answer in time") {
		t.Errorf("slow: %+v", r)
	}
}

func TestRunStopsWhenTheContextEnds(t *testing.T) {
	fc := &fakeChecker{answers: map[string]Observation{}, delay: time.Minute}
	var creds []*rotation.Credential
	for i := range 10 {
		creds = append(creds, cred(fmt.Sprintf("c%d", i), "2026-09-01", vault(fmt.Sprint(i))))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	rep, err := Run(ctx, creds, Options{Concurrency: 2, Checkers: map[rotation.SourceKind]Checker{rotation.SourceVaultKV: fc}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if len(rep.Results) > 2 || fc.calls.Load() > 2 {
		t.Errorf("%d results, %d calls after the context ended: want at most the 2 in flight", len(rep.Results), fc.calls.Load())
	}
}

func TestFormats(t *testing.T) {
	rep := sampleRun(t)
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"text", func(b *bytes.Buffer) error { return rep.WriteText(b) }},
		{"markdown", func(b *bytes.Buffer) error { return rep.WriteMarkdown(b) }},
		{"json", func(b *bytes.Buffer) error { return rep.WriteJSON(b) }},
	} {
		t.Run(f.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f.write(&b); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/report."+f.name+".golden", b.Bytes())
			if f.name == "json" {
				var doc struct {
					Results []struct{ ID, Verdict string } `json:"results"`
				}
				if err := json.Unmarshal(b.Bytes(), &doc); err != nil || len(doc.Results) != 6 {
					t.Fatalf("json: %v, %d results", err, len(doc.Results))
				}
				return
			}
			// The ones that need attention come first.
			out := b.String()
			if i, j := strings.Index(out, "d-denied"), strings.Index(out, "a-fine"); i < 0 || j < 0 || i > j {
				t.Errorf("%s: an error must be listed before a confirmed credential", f.name)
			}
		})
	}
}
