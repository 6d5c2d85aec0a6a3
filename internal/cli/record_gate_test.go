package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/verify/vaultstore/vaultfake"
)

// TestRecordStoreGate: with verify.require_for_record, a done ticket is
// recorded only when the secret store shows a version written after the
// previous rotation. Until then: exit 1, nothing pushed or opened, and one
// comment on the ticket saying what the store showed, which neither a
// rerun nor a dry run repeats. Once the store shows it, the pull request
// carries the store's evidence.
func TestRecordStoreGate(t *testing.T) {
	vault := vaultfake.New(t)
	secret := vault.Put("secret", "payments/db", time.Date(2026, time.September, 1, 7, 0, 0, 0, time.UTC))
	reg := strings.Replace(recordRegister, "    notice_days: 14\n",
		"    notice_days: 14\n    source:\n      vault_kv: {mount: secret, path: payments/db}\n", 1)
	w := newRecordWorldOf(t, reg, "timezone: Europe/Berlin\njira:\n  project: SEC\nverify:\n  require_for_record: true\n")
	w.env["VAULT_ADDR"], w.env["VAULT_TOKEN"] = vault.URL, vaultfake.Token

	comments := func() []string {
		t.Helper()
		is, _ := w.jira.Issue(w.key)
		var out []string
		for _, c := range is.Comments {
			b, err := json.Marshal(c.Body) // ADF: the words are its strings
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
		return out
	}
	for i, args := range [][]string{{"--issue", w.key}, {"--issue", w.key}, {"--issue", w.key, "--dry-run"}} {
		r := w.record(t, args...)
		if r.code != ExitFailed || !strings.Contains(r.stderr, "the secret store does not show a rotation of payments-db-admin after 2026-09-01 (vault_kv secret/payments/db: version 1 created 2026-09-01T07:00:00Z)") {
			t.Fatalf("run %d %v: exit %d, want 1 with the store's evidence\nstdout: %s\nstderr: %s", i, args, r.code, r.stdout, r.stderr)
		}
		if w.git.Requests.Load() != 0 || w.gh.Writes() != 0 || len(w.gh.PullRequests()) != 0 {
			t.Fatalf("run %d: git requests %d, GitHub writes %d: a refused rotation wrote", i, w.git.Requests.Load(), w.gh.Writes())
		}
		if strings.Contains(r.stdout+r.stderr, vaultfake.Token) {
			t.Fatalf("run %d shows the Vault token", i)
		}
		if cs := comments(); len(cs) != 1 || !strings.Contains(cs[0], "does not show it") || !strings.Contains(cs[0], "version 1 created 2026-09-01T07:00:00Z") {
			t.Fatalf("run %d: comments %q, want one saying what the store showed", i, cs)
		}
	}
	if n := vault.CallsTo(vaultfake.RouteRead); n != 3 {
		t.Errorf("Vault asked %d times in three runs, want 3", n)
	}
	if reads := vault.ValueReads(); len(reads) != 0 {
		t.Errorf("a secret value was read: %v", reads)
	}

	// The secret is rotated in the store: 25 November 22:00 UTC, the 25th
	// in Berlin too, the day before the ticket's done date there.
	secret.Write(time.Date(2026, time.November, 25, 22, 0, 0, 0, time.UTC))
	r := w.record(t, "--issue", w.key)
	if r.code != ExitOK {
		t.Fatalf("after the rotation: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	prs := w.gh.PullRequests()
	if len(prs) != 1 || !strings.Contains(prs[0].Body, "| secret store | `vault_kv secret/payments/db`: version 2 created 2026-11-25T22:00:00Z |") {
		t.Fatalf("pull requests %+v, want one whose body carries the store's evidence", prs)
	}
	if cs := comments(); len(cs) != 2 {
		t.Errorf("comments %q, want the refusal and the pull request's link", cs)
	}
}

// TestRecordStoreGateUnreachable: a store that cannot be asked refuses the
// rotation (it cannot be confirmed) without a comment on the ticket.
func TestRecordStoreGateUnreachable(t *testing.T) {
	reg := strings.Replace(recordRegister, "    notice_days: 14\n",
		"    notice_days: 14\n    source:\n      vault_kv: {mount: secret, path: payments/db}\n", 1)
	w := newRecordWorldOf(t, reg, "timezone: Europe/Berlin\njira:\n  project: SEC\nverify:\n  require_for_record: true\n")
	before := w.jira.Writes()
	r := w.record(t, "--issue", w.key)
	if r.code != ExitFailed || !strings.Contains(r.stderr, "could not ask the secret store of payments-db-admin") || !strings.Contains(r.stderr, "VAULT_ADDR is not set") {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	if w.jira.Writes() != before || w.git.Requests.Load() != 0 || w.gh.Writes() != 0 {
		t.Errorf("wrote: Jira %d, git %d, GitHub %d", w.jira.Writes()-before, w.git.Requests.Load(), w.gh.Writes())
	}
}
