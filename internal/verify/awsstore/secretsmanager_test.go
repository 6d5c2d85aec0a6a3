package awsstore_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/verify"
	"github.com/rotor-dev/rotor/internal/verify/awsstore"
	"github.com/rotor-dev/rotor/internal/verify/awsstore/awsfake"
)

const listVersions = "ListSecretVersionIds"

func TestSecretsManagerCurrentVersion(t *testing.T) {
	f := newSM(t, "eu-west-1")
	arn := f.fake.AddSecret("payments/db",
		awsfake.SecretVersion{ID: "a1b2c3d4-0000-4000-8000-000000000003", Created: at("2026-09-20T08:00:00.250Z"), Stages: []string{awsfake.StagePending}},
		awsfake.SecretVersion{ID: "0f9e8d7c-0000-4000-8000-000000000002", Created: at("2026-09-01T10:22:03.123Z"), Stages: []string{awsfake.StageCurrent}},
		awsfake.SecretVersion{ID: "77777777-0000-4000-8000-000000000001", Created: at("2026-06-01T09:00:00.999Z"), Stages: []string{awsfake.StagePrevious}},
		awsfake.SecretVersion{ID: "55555555-0000-4000-8000-000000000000", Created: at("2026-03-01T09:00:00.001Z")}, // deprecated: no label
	)
	obs, err := f.check.Check(ctx, smSource(arn, ""))
	if err != nil {
		t.Fatal(err)
	}
	// The instant is exact, to the millisecond Secrets Manager keeps.
	if want := at("2026-09-01T10:22:03.123Z"); !obs.Changed.Equal(want) {
		t.Errorf("Changed = %s, want %s (the AWSCURRENT version, not the newer AWSPENDING one)", obs.Changed.Format("2006-01-02T15:04:05.000Z07:00"), want)
	}
	if want := "AWSCURRENT version 0f9e8d7c… created 2026-09-01T10:22:03.123Z"; obs.Evidence != want {
		t.Errorf("Evidence = %q, want %q", obs.Evidence, want)
	}
	var ids []string
	for _, v := range obs.Versions {
		ids = append(ids, v.ID[:8])
		if v.Current != (v.ID[:8] == "0f9e8d7c") {
			t.Errorf("version %s: Current = %v", v.ID, v.Current)
		}
	}
	if want := []string{"55555555", "77777777", "0f9e8d7c", "a1b2c3d4"}; !slices.Equal(ids, want) {
		t.Errorf("Versions = %v, want %v (oldest first, the deprecated one included)", ids, want)
	}
	if len(obs.Warnings) != 1 || !strings.Contains(obs.Warnings[0], "a1b2c3d4… created 2026-09-20T08:00:00.25Z is AWSPENDING") {
		t.Errorf("Warnings = %q, want one about the pending version", obs.Warnings)
	}
	if n := f.fake.ActionCalls(listVersions); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
	bodies := fakeapi.JSONBodies(t, f.fake.Exchanges(), awsfake.Route)
	if len(bodies) != 1 || bodies[0]["IncludeDeprecated"] != true || bodies[0]["SecretId"] != arn {
		t.Errorf("request bodies = %v, want SecretId %s and IncludeDeprecated true", bodies, arn)
	}
	ex := f.fake.Exchanges()[0]
	if got := ex.Header.Get("X-Amz-Target"); got != "secretsmanager.ListSecretVersionIds" {
		t.Errorf("X-Amz-Target = %q", got)
	}
	if got := ex.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type = %q", got)
	}
	if !ex.Authorized {
		t.Error("the request was not signed with SigV4")
	}
}

func TestSecretsManagerCurrentOnALaterPage(t *testing.T) {
	f := newSM(t, "eu-west-1")
	f.fake.SetPageSize(2)
	var versions []awsfake.SecretVersion
	for i, day := range []string{"01", "02", "03", "04"} {
		versions = append(versions, awsfake.SecretVersion{ID: "old-" + day, Created: at("2026-01-" + day + "T00:00:00Z")})
		if i == 0 {
			versions[0].Stages = []string{awsfake.StagePrevious}
		}
	}
	versions = append(versions, awsfake.SecretVersion{ID: "current-version-id", Created: at("2026-02-01T12:00:00.5Z"), Stages: []string{awsfake.StageCurrent}})
	f.fake.AddSecret("ci/deploy", versions...)

	obs, err := f.check.Check(ctx, smSource("ci/deploy", ""))
	if err != nil {
		t.Fatal(err)
	}
	if !obs.Changed.Equal(at("2026-02-01T12:00:00.5Z")) {
		t.Errorf("Changed = %s", obs.Changed)
	}
	if len(obs.Versions) != 5 {
		t.Errorf("%d versions, want 5 from three pages", len(obs.Versions))
	}
	if n := f.fake.ActionCalls(listVersions); n != 3 {
		t.Errorf("%d calls, want 3: one a page", n)
	}
}

func TestSecretsManagerFindings(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(f *awsfake.SecretsManager) string // returns the secret id to ask
		reason verify.Reason
		parts  []string
	}{
		{"not found", func(f *awsfake.SecretsManager) string { return "no/such/secret" },
			verify.ReasonNotFound, []string{"no secret no/such/secret", "eu-west-1"}},
		{"access denied", func(f *awsfake.SecretsManager) string {
			arn := f.AddSecret("payments/db", awsfake.SecretVersion{ID: "v1", Created: at("2026-01-01T00:00:00Z"), Stages: []string{awsfake.StageCurrent}})
			f.Deny("payments/db")
			return arn
		}, verify.ReasonAccessDenied, []string{"secretsmanager:ListSecretVersionIds on arn:aws:secretsmanager:us-east-1:123456789012:secret:payments/db-"}},
		{"no AWSCURRENT anywhere", func(f *awsfake.SecretsManager) string {
			f.AddSecret("half/made",
				awsfake.SecretVersion{ID: "v1", Created: at("2026-01-01T00:00:00Z"), Stages: []string{awsfake.StagePending}},
				awsfake.SecretVersion{ID: "v0", Created: at("2025-01-01T00:00:00Z")})
			return "half/made"
		}, verify.ReasonInvalid, []string{"no version of secret half/made holds AWSCURRENT among the 2"}},
		{"scheduled for deletion", func(f *awsfake.SecretsManager) string {
			f.AddSecret("going/away", awsfake.SecretVersion{ID: "v1", Created: at("2026-01-01T00:00:00Z"), Stages: []string{awsfake.StageCurrent}})
			f.MarkDeleted("going/away")
			return "going/away"
		}, verify.ReasonDeleted, []string{"going/away is scheduled for deletion"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newSM(t, "eu-west-1")
			id := tc.setup(f.fake)
			_, err := f.check.Check(ctx, smSource(id, ""))
			wantStoreError(t, err, tc.reason, tc.parts...)
			if n := f.fake.ActionCalls(listVersions); n != 1 {
				t.Errorf("%d calls, want 1 (a finding is not retried)", n)
			}
			if n := f.backoff.count(); n != 0 {
				t.Errorf("%d retries", n)
			}
		})
	}
}

func TestSecretsManagerRetries(t *testing.T) {
	cases := []struct {
		name      string
		fault     func(f *awsfake.SecretsManager)
		calls     int
		reason    verify.Reason // "" when the check succeeds
		parts     []string
		retryWait int
	}{
		{"throttled twice then answered", func(f *awsfake.SecretsManager) { f.ThrottleNext(2) }, 3, "", nil, 2},
		{"throttled past the retries", func(f *awsfake.SecretsManager) { f.ThrottleNext(5) }, 5, verify.ReasonThrottled,
			[]string{"still throttled secretsmanager:ListSecretVersionIds after 5 attempts (ThrottlingException)", "run rotor verify again later"}, 4},
		{"429 past the retries", func(f *awsfake.SecretsManager) {
			f.Inject(awsfake.Fault{Route: awsfake.Route, Status: http.StatusTooManyRequests, Times: 5, Body: `{"message":"slow down"}`})
		}, 5, verify.ReasonThrottled, []string{"429 Too Many Requests after 5 attempts"}, 4},
		{"503 then answered", func(f *awsfake.SecretsManager) {
			f.Inject(awsfake.Fault{Route: awsfake.Route, Status: http.StatusServiceUnavailable})
		}, 2, "", nil, 1},
		{"500 past the retries", func(f *awsfake.SecretsManager) {
			f.Inject(awsfake.Fault{Route: awsfake.Route, Status: http.StatusInternalServerError, Times: 5})
		}, 5, verify.ReasonUnreachable, []string{"500 Internal Server Error after 5 attempts"}, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newSM(t, "eu-west-1")
			f.fake.AddSecret("payments/db", awsfake.SecretVersion{ID: "v1", Created: at("2026-01-01T00:00:00Z"), Stages: []string{awsfake.StageCurrent}})
			tc.fault(f.fake)
			obs, err := f.check.Check(ctx, smSource("payments/db", ""))
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !obs.Changed.Equal(at("2026-01-01T00:00:00Z")) {
					t.Errorf("Changed = %s", obs.Changed)
				}
			} else {
				wantStoreError(t, err, tc.reason, tc.parts...)
			}
			if n := f.fake.ActionCalls(listVersions); n != tc.calls {
				t.Errorf("%d calls, want %d", n, tc.calls)
			}
			if n := f.backoff.count(); n != tc.retryWait {
				t.Errorf("%d waits before a retry, want %d", n, tc.retryWait)
			}
		})
	}
}

func TestSecretsManagerRegion(t *testing.T) {
	cases := []struct {
		name          string
		defaultRegion string
		secret        func(f *awsfake.SecretsManager) string
		region        string
		want          string
	}{
		{"an ARN's region wins", "eu-west-1", func(f *awsfake.SecretsManager) string {
			f.SetRegion("ap-southeast-2")
			return f.AddSecret("a", current())
		}, "us-west-2", "ap-southeast-2"},
		{"else the source's", "eu-west-1", func(f *awsfake.SecretsManager) string { f.AddSecret("a", current()); return "a" }, "us-west-2", "us-west-2"},
		{"else the SDK's default", "eu-central-1", func(f *awsfake.SecretsManager) string { f.AddSecret("a", current()); return "a" }, "", "eu-central-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newSM(t, tc.defaultRegion)
			id := tc.secret(f.fake)
			if _, err := f.check.Check(ctx, smSource(id, tc.region)); err != nil {
				t.Fatal(err)
			}
			if got := f.fake.Regions(); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("signed for %v, want [%s]", got, tc.want)
			}
		})
	}

	t.Run("none: a config error, nothing sent", func(t *testing.T) {
		awsfake.ClearEnv(t)
		f := newSM(t, "")
		_, err := f.check.Check(ctx, smSource("payments/db", ""))
		wantStoreError(t, err, verify.ReasonConfig, "no AWS region for secret payments/db", "region:", "AWS_REGION")
		if n := f.fake.Total(); n != 0 {
			t.Errorf("%d requests sent", n)
		}
	})
	t.Run("an ARN of another service", func(t *testing.T) {
		f := newSM(t, "eu-west-1")
		_, err := f.check.Check(ctx, smSource("arn:aws:iam::123456789012:user/deploy", ""))
		wantStoreError(t, err, verify.ReasonConfig, "an ARN of iam, not of a Secrets Manager secret")
	})
	t.Run("a region that is no region", func(t *testing.T) {
		f := newSM(t, "eu-west-1")
		_, err := f.check.Check(ctx, smSource("payments/db", "eu west 1"))
		wantStoreError(t, err, verify.ReasonConfig, `region "eu west 1"`)
	})
}

func current() awsfake.SecretVersion {
	return awsfake.SecretVersion{ID: "v1", Created: at("2026-01-01T00:00:00Z"), Stages: []string{awsfake.StageCurrent}}
}

func TestSecretsManagerRedirectRefused(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "" {
			t.Error("the redirect's target received the signature")
		}
	}))
	defer other.Close()
	f := newSM(t, "eu-west-1")
	f.fake.AddSecret("payments/db", current())
	f.fake.Inject(awsfake.Redirect(other.URL + "/"))
	_, err := f.check.Check(ctx, smSource("payments/db", ""))
	wantStoreError(t, err, verify.ReasonConfig, "redirect, which rotor does not follow")
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect's target received %d requests", n)
	}
	if n := f.fake.ActionCalls(listVersions); n != 1 {
		t.Errorf("%d calls, want 1 (a redirect is not retried)", n)
	}
}

func TestSecretsManagerPlainHTTPOnlyToLoopback(t *testing.T) {
	c := awsstore.NewSecretsManager(awsstore.Options{
		SecretsManagerEndpoint: "http://secretsmanager.example.com",
		LoadOptions:            awsfake.LoadOptions("eu-west-1"),
	})
	_, err := c.Check(ctx, smSource("payments/db", ""))
	wantStoreError(t, err, verify.ReasonConfig, "loopback")
}

func TestSecretsManagerWithoutCredentials(t *testing.T) {
	awsfake.ClearEnv(t)
	f := awsfake.NewSecretsManager(t)
	c := awsstore.NewSecretsManager(awsstore.Options{
		SecretsManagerEndpoint: f.URL,
		LoadOptions:            awsfake.LoadOptions("eu-west-1")[:1], // a region, no credentials, no instance role
	})
	_, err := c.Check(ctx, smSource("payments/db", ""))
	wantStoreError(t, err, verify.ReasonConfig, "no usable AWS credentials", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE")
	if n := f.Total(); n != 0 {
		t.Errorf("%d requests sent without credentials", n)
	}
}

func TestSecretsManagerNotThisSource(t *testing.T) {
	f := newSM(t, "eu-west-1")
	_, err := f.check.Check(ctx, iamSource("deploy", ""))
	wantStoreError(t, err, verify.ReasonConfig, "not an aws_secrets_manager one")
	_, err = f.check.Check(ctx, smSource("  ", ""))
	wantStoreError(t, err, verify.ReasonConfig, "names no secret")
}
