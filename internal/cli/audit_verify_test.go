package cli

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
	"github.com/rotor-dev/rotor/internal/verify/awsstore/awsfake"
	"github.com/rotor-dev/rotor/internal/verify/vaultstore/vaultfake"
)

// auditVerifyRepo is a register repository in Europe/Berlin whose
// credentials name the stores s fakes, each rotated in 2026 by a commit
// on the day of its new last_changed, and the stores as they are on
// 2026-11-27:
//
//   - db (Vault, versions from April on): rotated on 1 February (beyond
//     the versions kept), 10 April (a version written at 23:30 UTC on the
//     9th, the 10th in Berlin), 1 August (no version near it) and 15
//     October (a version that day);
//   - api (Secrets Manager): rotated on 1 March (a deprecated version
//     that day) and 1 September (AWSCURRENT a day later);
//   - ci (IAM, no history): rotated on 1 May and 20 September (the active
//     key's day);
//   - gone (Vault, no such secret): rotated on 1 June;
//   - legacy (no source): rotated on 1 June;
//   - idle (Vault): no rotation in the period, so never asked.
func auditVerifyRepo(t *testing.T, s verifyStores) string {
	t.Helper()
	gittest.Require(t)
	at := func(v string) time.Time {
		ts, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	s.vault.Put("secret", "payments/db", at("2026-04-09T23:30:00Z"), at("2026-07-01T10:00:00Z"), at("2026-10-15T10:00:00Z"))
	s.vault.Put("secret", "payments/idle", at("2025-01-01T10:00:00Z"))
	s.sm.AddSecret("payments/api",
		awsfake.SecretVersion{ID: "a1b2c3d4-0000-4000-8000-000000000001", Created: at("2026-03-01T09:00:00Z")},
		awsfake.SecretVersion{ID: "a1b2c3d4-0000-4000-8000-000000000002", Created: at("2026-09-02T06:00:00Z"), Stages: []string{awsfake.StageCurrent}})
	s.iam.AddUser("ci-deployer", awsfake.AccessKey{ID: "AKIAIOSFODNN7EXAMPLE", Created: at("2026-09-20T10:00:00Z"), Status: awsfake.StatusActive})

	sources := map[string]string{
		"db":   "vault_kv: {mount: secret, path: payments/db}",
		"api":  "aws_secrets_manager: {secret: payments/api}",
		"ci":   "aws_iam_access_key: {user: ci-deployer}",
		"gone": "vault_kv: {mount: secret, path: payments/gone}",
		"idle": "vault_kv: {mount: secret, path: payments/idle}",
	}
	last := map[string]string{"db": "2025-11-01", "api": "2025-12-01", "ci": "2025-11-20", "gone": "2025-12-20", "legacy": "2025-12-20", "idle": "2025-10-01"}
	file := func() string {
		var entries []string
		for _, id := range slices.Sorted(maps.Keys(last)) {
			extra := ""
			if src := sources[id]; src != "" {
				extra = "    source:\n      " + src + "\n"
			}
			entries = append(entries, auditEntry(id, 365, last[id], extra))
		}
		return registerFile(entries...)
	}
	const reg = "credential_rotation/"
	commits := []gittest.Commit{{When: time.Date(2025, 12, 20, 9, 0, 0, 0, time.UTC), Message: "register\n",
		Files: map[string]string{reg + "rotor.yaml": "timezone: Europe/Berlin\n", reg + "payments.yaml": file()}}}
	for _, r := range []struct{ id, day string }{
		{"db", "2026-02-01"}, {"api", "2026-03-01"}, {"db", "2026-04-10"}, {"ci", "2026-05-01"}, {"gone", "2026-06-01"},
		{"legacy", "2026-06-01"}, {"db", "2026-08-01"}, {"api", "2026-09-01"}, {"ci", "2026-09-20"}, {"db", "2026-10-15"},
	} {
		last[r.id] = r.day
		d, err := time.Parse(time.DateOnly, r.day)
		if err != nil {
			t.Fatal(err)
		}
		commits = append(commits, gittest.Commit{When: d.Add(12 * time.Hour), Message: "rotate " + r.id + "\n",
			Files: map[string]string{reg + "payments.yaml": file()}})
	}
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	gittest.Import(t, dir, "main", commits)
	gittest.Git(t, dir, "reset", "-q", "--hard")
	return dir
}

type auditVerifyJSON struct {
	Stores *struct {
		On            string `json:"on"`
		ToleranceDays int    `json:"tolerance_days"`
	} `json:"stores"`
	Summary struct {
		StoreMarks map[string]int `json:"store_marks"`
	} `json:"summary"`
	Credentials []struct {
		ID    string `json:"id"`
		Store *struct {
			Source       string `json:"source"`
			Evidence     string `json:"evidence"`
			Reason       string `json:"reason"`
			VersionsKept *int   `json:"versions_kept"`
		} `json:"store"`
	} `json:"credentials"`
	Events []struct {
		Type                string `json:"type"`
		CredentialID        string `json:"credential_id"`
		NewLastChanged      string `json:"new_last_changed"`
		StoreMark           string `json:"store_mark"`
		StoreVersion        string `json:"store_version"`
		StoreVersionCreated string `json:"store_version_created"`
		StoreDetail         string `json:"store_detail"`
	} `json:"events"`
	Observations []struct {
		Kind         string `json:"kind"`
		CredentialID string `json:"credential_id"`
		Message      string `json:"message"`
	} `json:"observations"`
}

// TestAuditVerify: rotor audit --verify asks each store once per
// credential with a source and a rotation, through the real clients
// against the fakes, and every format of --out-dir carries the marks.
func TestAuditVerify(t *testing.T) {
	s := newVerifyStores(t)
	dir := auditVerifyRepo(t, s)
	out := t.TempDir()
	args := []string{"audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
		"--from", "2026-01-01", "--to", "2026-11-27", "--verify"}
	r := runRotor(t, s.env, "", append(args, "--out-dir", out)...)
	if r.code != ExitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	// One call per credential asked: db and gone in Vault, api in Secrets
	// Manager, ci in IAM; idle (no rotation) and legacy (no source) not.
	if n := s.vault.CallsTo(vaultfake.RouteRead); n != 2 {
		t.Errorf("Vault was asked %d times, want 2 (db, gone)", n)
	}
	if n := s.sm.ActionCalls("ListSecretVersionIds"); n != 1 {
		t.Errorf("ListSecretVersionIds called %d times, want 1", n)
	}
	if n := s.iam.ActionCalls("ListAccessKeys"); n != 1 {
		t.Errorf("ListAccessKeys called %d times, want 1", n)
	}
	if reads := s.vault.ValueReads(); len(reads) != 0 {
		t.Errorf("Vault values read: %v", reads)
	}
	const counts = "5 confirmed, 1 unconfirmed, 1 beyond retention, 1 not kept, 1 error; 1 rotation without a source"
	if !strings.Contains(r.stderr, "rotations in the secret stores: "+counts) {
		t.Errorf("stderr lacks the counts %q:\n%s", counts, r.stderr)
	}

	var p auditVerifyJSON
	if err := json.Unmarshal([]byte(mustRead(t, filepath.Join(out, "audit.json"))), &p); err != nil {
		t.Fatal(err)
	}
	if p.Stores == nil || p.Stores.On != "2026-11-27" || p.Stores.ToleranceDays != 1 {
		t.Errorf("stores = %+v, want asked on 2026-11-27 with a tolerance of 1 day", p.Stores)
	}
	wantCounts := map[string]int{"confirmed": 5, "unconfirmed": 1, "beyond_retention": 1, "not_kept": 1, "error": 1, "no_source": 1}
	if !maps.Equal(p.Summary.StoreMarks, wantCounts) {
		t.Errorf("summary.store_marks = %v, want %v", p.Summary.StoreMarks, wantCounts)
	}
	type mark struct{ mark, version, created, detail string }
	want := map[string]mark{
		"db 2026-02-01":     {"beyond-retention", "", "", "the oldest, version 1, created 2026-04-10T01:30:00+02:00"},
		"db 2026-04-10":     {"confirmed", "1", "2026-04-10T01:30:00+02:00", "the same day as 2026-04-10"},
		"db 2026-08-01":     {"unconfirmed", "", "", "the nearest, version 2, created 2026-07-01T12:00:00+02:00, is 31 days before 2026-08-01"},
		"db 2026-10-15":     {"confirmed", "3", "2026-10-15T12:00:00+02:00", "the same day"},
		"api 2026-03-01":    {"confirmed", "a1b2c3d4-0000-4000-8000-000000000001", "2026-03-01T10:00:00+01:00", "the same day"},
		"api 2026-09-01":    {"confirmed", "a1b2c3d4-0000-4000-8000-000000000002", "2026-09-02T08:00:00+02:00", "1 day after 2026-09-01"},
		"ci 2026-05-01":     {"not-kept", "", "", "aws_iam_access_key keeps no history"},
		"ci 2026-09-20":     {"confirmed", "", "2026-09-20T12:00:00+02:00", "AKIAIOSFODNN7EXAMPLE"},
		"gone 2026-06-01":   {"error", "", "", "payments/gone"},
		"legacy 2026-06-01": {},
	}
	seen := 0
	for _, e := range p.Events {
		if e.Type != "rotation" {
			continue
		}
		key := e.CredentialID + " " + e.NewLastChanged
		w, ok := want[key]
		if !ok {
			t.Errorf("unexpected rotation %s", key)
			continue
		}
		seen++
		if e.StoreMark != w.mark || e.StoreVersion != w.version || e.StoreVersionCreated != w.created || !strings.Contains(e.StoreDetail, w.detail) {
			t.Errorf("%s: %q %q %q %q; want %q %q %q and a detail with %q", key, e.StoreMark, e.StoreVersion, e.StoreVersionCreated,
				e.StoreDetail, w.mark, w.version, w.created, w.detail)
		}
	}
	if seen != len(want) {
		t.Errorf("%d rotations, want %d", seen, len(want))
	}
	for _, c := range p.Credentials {
		switch c.ID {
		case "db":
			if c.Store == nil || c.Store.Source != "vault_kv secret/payments/db" || c.Store.VersionsKept == nil || *c.Store.VersionsKept != 3 {
				t.Errorf("db's store = %+v, want vault_kv secret/payments/db with 3 versions", c.Store)
			}
		case "ci":
			if c.Store == nil || c.Store.VersionsKept != nil {
				t.Errorf("ci's store = %+v, want one without history", c.Store)
			}
		case "gone":
			if c.Store == nil || c.Store.Reason != "not-found" {
				t.Errorf("gone's store = %+v, want a not-found error", c.Store)
			}
		case "idle", "legacy":
			if c.Store != nil {
				t.Errorf("%s's store = %+v, want none: not asked", c.ID, c.Store)
			}
		}
	}
	var unconfirmed []string
	for _, o := range p.Observations {
		if o.Kind == "store-unconfirmed" {
			unconfirmed = append(unconfirmed, o.CredentialID+": "+o.Message)
		}
	}
	if len(unconfirmed) != 1 || !strings.HasPrefix(unconfirmed[0], "db: vault_kv secret/payments/db does not show the rotation to 2026-08-01") {
		t.Errorf("store-unconfirmed observations = %q, want one for db's rotation to 2026-08-01", unconfirmed)
	}

	// The other formats carry the same marks.
	md, page := mustRead(t, filepath.Join(out, "audit.md")), html.UnescapeString(mustRead(t, filepath.Join(out, "audit.html")))
	for _, doc := range []struct{ name, text string }{{"audit.md", md}, {"audit.html", page}} {
		for _, w := range []string{"In the secret store", "Rotations in the secret stores", counts, "beyond retention: older than every version",
			"confirmed: version 1, created 2026-04-10T01:30:00+02:00", "store-unconfirmed", "Secret stores",
			"--verify --format "} {
			if !strings.Contains(doc.text, w) {
				t.Errorf("%s lacks %q", doc.name, w)
			}
		}
	}
	records, err := csv.NewReader(strings.NewReader(mustRead(t, filepath.Join(out, "audit.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := records[0]
	col := func(name string) int { return slices.Index(head, name) }
	if col("store_mark") < 0 || col("store_detail") != len(head)-1 {
		t.Fatalf("CSV header %q: want the store columns at the end", head)
	}
	marks := map[string]int{}
	for _, rec := range records[1:] {
		if rec[col("type")] == "rotation" {
			marks[rec[col("store_mark")]]++
		}
	}
	if want := map[string]int{"confirmed": 5, "unconfirmed": 1, "beyond-retention": 1, "not-kept": 1, "error": 1, "": 1}; !maps.Equal(marks, want) {
		t.Errorf("CSV store_mark of the rotations = %v, want %v", marks, want)
	}
	for _, secret := range []string{vaultfake.Token, awsfake.SecretAccessKey} {
		if strings.Contains(r.stdout+r.stderr+md+page, secret) {
			t.Errorf("output shows a secret %q", secret)
		}
	}

	// Without --verify nothing of the stores is in the pack, and no store
	// is asked.
	plain := runRotor(t, s.env, "", append(args[:len(args)-1], "--format", "json")...)
	if plain.code != ExitOK || strings.Contains(plain.stdout, "store") {
		t.Errorf("without --verify: exit %d, and the pack mentions a store:\n%s", plain.code, plain.stdout)
	}
	if n := s.vault.CallsTo(vaultfake.RouteRead); n != 2 {
		t.Errorf("without --verify, Vault was asked: %d reads in all, want 2", n)
	}
}

// TestAuditVerifyUnconfiguredStore: a store rotor cannot be pointed at
// (no VAULT_ADDR) marks its credentials' rotations as errors that say
// what to set; the other stores are asked and the pack is written.
func TestAuditVerifyUnconfiguredStore(t *testing.T) {
	s := newVerifyStores(t)
	dir := auditVerifyRepo(t, s)
	r := runRotor(t, nil, "", "audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
		"--from", "2026-01-01", "--to", "2026-11-27", "--verify", "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	var p auditVerifyJSON
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Events {
		if e.Type != "rotation" {
			continue
		}
		switch e.CredentialID {
		case "db", "gone":
			if e.StoreMark != "error" || !strings.Contains(e.StoreDetail, "VAULT_ADDR is not set") {
				t.Errorf("%s %s: %s %q, want an error naming VAULT_ADDR", e.CredentialID, e.NewLastChanged, e.StoreMark, e.StoreDetail)
			}
		case "api":
			if e.StoreMark != "confirmed" {
				t.Errorf("api %s: %s, want confirmed: one store failing stops no other", e.NewLastChanged, e.StoreMark)
			}
		}
	}
	if s.vault.CallsTo(vaultfake.RouteRead) != 0 {
		t.Errorf("Vault was asked without VAULT_ADDR")
	}
}
