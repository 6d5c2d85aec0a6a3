package awsstore_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/rotor-dev/rotor/internal/verify"
	"github.com/rotor-dev/rotor/internal/verify/awsstore/awsfake"
)

const listKeys = "ListAccessKeys"

// Access key ids are identifiers, fine to print.
const (
	oldKey = "AKIAOLDOLDOLDOLDOLD1"
	newKey = "AKIANEWNEWNEWNEWNEW2"
)

func TestIAMActiveKey(t *testing.T) {
	cases := []struct {
		name     string
		keys     []awsfake.AccessKey
		tracked  string
		pageSize int
		calls    int
		want     string
		evidence string
	}{
		{"one active key", []awsfake.AccessKey{
			{ID: newKey, Created: at("2026-09-01T10:22:03Z"), Status: awsfake.StatusActive},
		}, "", 100, 1, "2026-09-01T10:22:03Z", "active access key " + newKey + " of IAM user deploy-bot created 2026-09-01T10:22:03Z"},
		{"a newer inactive key is ignored", []awsfake.AccessKey{
			{ID: oldKey, Created: at("2026-03-01T00:00:00Z"), Status: awsfake.StatusActive},
			{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusInactive},
		}, "", 100, 1, "2026-03-01T00:00:00Z", "active access key " + oldKey + " of IAM user deploy-bot created 2026-03-01T00:00:00Z"},
		{"the tracked key, active", []awsfake.AccessKey{
			{ID: oldKey, Created: at("2026-03-01T00:00:00Z"), Status: awsfake.StatusInactive},
			{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive},
		}, newKey, 100, 1, "2026-09-01T00:00:00Z", "active access key " + newKey + " of IAM user deploy-bot created 2026-09-01T00:00:00Z"},
		{"the active key on the second page", []awsfake.AccessKey{
			{ID: oldKey, Created: at("2026-03-01T00:00:00Z"), Status: awsfake.StatusInactive},
			{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive},
		}, "", 1, 2, "2026-09-01T00:00:00Z", "active access key " + newKey + " of IAM user deploy-bot created 2026-09-01T00:00:00Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newIAM(t, "eu-west-1")
			f.fake.SetPageSize(tc.pageSize)
			f.fake.AddUser("deploy-bot", tc.keys...)
			obs, err := f.check.Check(ctx, iamSource("deploy-bot", tc.tracked))
			if err != nil {
				t.Fatal(err)
			}
			if !obs.Changed.Equal(at(tc.want)) {
				t.Errorf("Changed = %s, want %s", obs.Changed, tc.want)
			}
			if obs.Evidence != tc.evidence {
				t.Errorf("Evidence = %q, want %q", obs.Evidence, tc.evidence)
			}
			if obs.Versions != nil {
				t.Errorf("Versions = %v: IAM keeps no history", obs.Versions)
			}
			if n := f.fake.ActionCalls(listKeys); n != tc.calls {
				t.Errorf("%d calls, want %d", n, tc.calls)
			}
			for i, ex := range f.fake.Exchanges() {
				form, err := url.ParseQuery(string(ex.RequestBody))
				if err != nil || form.Get("Action") != listKeys || form.Get("UserName") != "deploy-bot" || form.Get("Version") != "2010-05-08" {
					t.Errorf("request %d body = %q, want Action=ListAccessKeys&UserName=deploy-bot&Version=2010-05-08", i, ex.RequestBody)
				}
				if i > 0 && form.Get("Marker") == "" {
					t.Errorf("request %d carries no Marker", i)
				}
			}
		})
	}
}

func TestIAMFindings(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(f *awsfake.IAM)
		tracked string
		reason  verify.Reason
		parts   []string
	}{
		{"two active keys", func(f *awsfake.IAM) {
			f.AddUser("deploy-bot",
				awsfake.AccessKey{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive},
				awsfake.AccessKey{ID: oldKey, Created: at("2026-03-01T00:00:00Z"), Status: awsfake.StatusActive})
		}, "", verify.ReasonAmbiguous, []string{"two active access keys: a rotation left half done; deactivate the old key " + oldKey + " (created 2026-03-01T00:00:00Z)"}},
		{"two active keys, one tracked", func(f *awsfake.IAM) {
			f.AddUser("deploy-bot",
				awsfake.AccessKey{ID: oldKey, Created: at("2026-03-01T00:00:00Z"), Status: awsfake.StatusActive},
				awsfake.AccessKey{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive})
		}, newKey, verify.ReasonAmbiguous, []string{"deactivate the old key " + oldKey}},
		{"no active key", func(f *awsfake.IAM) {
			f.AddUser("deploy-bot", awsfake.AccessKey{ID: oldKey, Created: at("2026-03-01T00:00:00Z"), Status: awsfake.StatusInactive})
		}, "", verify.ReasonNotFound, []string{"user deploy-bot has no active access key (1 inactive)"}},
		{"no key at all", func(f *awsfake.IAM) { f.AddUser("deploy-bot") }, "", verify.ReasonNotFound, []string{"no active access key (0 inactive)"}},
		{"the tracked key is inactive", func(f *awsfake.IAM) {
			f.AddUser("deploy-bot",
				awsfake.AccessKey{ID: oldKey, Created: at("2026-03-01T00:00:00Z"), Status: awsfake.StatusInactive},
				awsfake.AccessKey{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive})
		}, oldKey, verify.ReasonDeleted, []string{"access key " + oldKey + " of user deploy-bot is Inactive (its active key is " + newKey + ", created 2026-09-01T00:00:00Z)"}},
		{"the tracked key is not the user's", func(f *awsfake.IAM) {
			f.AddUser("deploy-bot", awsfake.AccessKey{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive})
		}, oldKey, verify.ReasonNotFound, []string{"user deploy-bot has no access key " + oldKey + " (its active key is " + newKey}},
		{"no such user", func(f *awsfake.IAM) {}, "", verify.ReasonNotFound, []string{"IAM has no user deploy-bot"}},
		{"access denied", func(f *awsfake.IAM) {
			f.AddUser("deploy-bot", awsfake.AccessKey{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive})
			f.Deny("deploy-bot")
		}, "", verify.ReasonAccessDenied, []string{"needs iam:ListAccessKeys on user deploy-bot"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newIAM(t, "eu-west-1")
			tc.setup(f.fake)
			_, err := f.check.Check(ctx, iamSource("deploy-bot", tc.tracked))
			wantStoreError(t, err, tc.reason, tc.parts...)
			if n := f.fake.ActionCalls(listKeys); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
			if n := f.backoff.count(); n != 0 {
				t.Errorf("%d retries", n)
			}
		})
	}
}

func TestIAMRetries(t *testing.T) {
	cases := []struct {
		name   string
		fault  func(f *awsfake.IAM)
		calls  int
		reason verify.Reason
		parts  []string
	}{
		{"throttled then answered", func(f *awsfake.IAM) { f.ThrottleNext(1) }, 2, "", nil},
		{"throttled past the retries", func(f *awsfake.IAM) { f.ThrottleNext(5) }, 5, verify.ReasonThrottled,
			[]string{"IAM still throttled iam:ListAccessKeys after 5 attempts (Throttling)"}},
		{"503 past the retries", func(f *awsfake.IAM) {
			f.Inject(awsfake.Fault{Route: awsfake.Route, Status: http.StatusServiceUnavailable, Times: 5})
		}, 5, verify.ReasonUnreachable, []string{"503 Service Unavailable after 5 attempts"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newIAM(t, "eu-west-1")
			f.fake.AddUser("deploy-bot", awsfake.AccessKey{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive})
			tc.fault(f.fake)
			_, err := f.check.Check(ctx, iamSource("deploy-bot", ""))
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				wantStoreError(t, err, tc.reason, tc.parts...)
			}
			if n := f.fake.ActionCalls(listKeys); n != tc.calls {
				t.Errorf("%d calls, want %d", n, tc.calls)
			}
			if n := f.backoff.count(); n != tc.calls-1 {
				t.Errorf("%d waits before a retry, want %d", n, tc.calls-1)
			}
		})
	}
}

func TestIAMRegion(t *testing.T) {
	t.Run("none configured: IAM's own", func(t *testing.T) {
		awsfake.ClearEnv(t)
		f := newIAM(t, "")
		f.fake.AddUser("deploy-bot", awsfake.AccessKey{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive})
		if _, err := f.check.Check(ctx, iamSource("deploy-bot", "")); err != nil {
			t.Fatal(err)
		}
		if got := f.fake.Regions(); !slices.Equal(got, []string{"us-east-1"}) {
			t.Errorf("signed for %v, want [us-east-1]", got)
		}
	})
}

func TestIAMRedirectRefused(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer other.Close()
	f := newIAM(t, "eu-west-1")
	f.fake.AddUser("deploy-bot", awsfake.AccessKey{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive})
	f.fake.Inject(awsfake.Redirect(other.URL + "/"))
	_, err := f.check.Check(ctx, iamSource("deploy-bot", ""))
	wantStoreError(t, err, verify.ReasonConfig, "IAM answered iam:ListAccessKeys with a redirect")
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect's target received %d requests", n)
	}
}

func TestIAMNotThisSource(t *testing.T) {
	f := newIAM(t, "eu-west-1")
	_, err := f.check.Check(ctx, smSource("payments/db", ""))
	wantStoreError(t, err, verify.ReasonConfig, "not an aws_iam_access_key one")
	_, err = f.check.Check(ctx, iamSource("", oldKey))
	wantStoreError(t, err, verify.ReasonConfig, "names no user")
	if n := f.fake.Total(); n != 0 {
		t.Errorf("%d requests", n)
	}
}
