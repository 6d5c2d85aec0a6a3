package awsstore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rotor-dev/rotor/internal/verify/awsstore"
	"github.com/rotor-dev/rotor/internal/verify/awsstore/awsfake"
)

// nowhere is an endpoint that fails the test if anything reaches it.
func nowhere(t *testing.T) string {
	t.Helper()
	var hits atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(func() {
		s.Close()
		if n := hits.Load(); n != 0 {
			t.Errorf("%d requests reached an endpoint that should not be asked", n)
		}
	})
	return s.URL
}

// The SDK reads AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL itself;
// a service's own variable wins over the general one, and Options over
// both.
func TestEndpointVariables(t *testing.T) {
	cases := []struct {
		name    string
		env     func(t *testing.T, sm, iam string) map[string]string
		withIAM bool // the variables point IAM at its fake too
	}{
		{"each service's own variable", func(t *testing.T, sm, iam string) map[string]string {
			return map[string]string{"AWS_ENDPOINT_URL": nowhere(t), "AWS_ENDPOINT_URL_SECRETS_MANAGER": sm, "AWS_ENDPOINT_URL_IAM": iam}
		}, true},
		{"the general variable", func(t *testing.T, sm, iam string) map[string]string {
			return map[string]string{"AWS_ENDPOINT_URL": sm}
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			awsfake.ClearEnv(t)
			sm, im := awsfake.NewSecretsManager(t), awsfake.NewIAM(t)
			sm.AddSecret("payments/db", current())
			im.AddUser("deploy-bot", awsfake.AccessKey{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive})
			for k, v := range tc.env(t, sm.URL, im.URL) {
				t.Setenv(k, v)
			}
			opts := awsstore.Options{LoadOptions: awsfake.LoadOptions("eu-west-1")}
			if _, err := awsstore.NewSecretsManager(opts).Check(ctx, smSource("payments/db", "")); err != nil {
				t.Fatal(err)
			}
			if n := sm.ActionCalls(listVersions); n != 1 {
				t.Errorf("the fake Secrets Manager received %d calls, want 1", n)
			}
			if !tc.withIAM {
				return
			}
			if _, err := awsstore.NewIAM(opts).Check(ctx, iamSource("deploy-bot", "")); err != nil {
				t.Fatal(err)
			}
			if n := im.ActionCalls(listKeys); n != 1 {
				t.Errorf("the fake IAM received %d calls, want 1", n)
			}
		})
	}

	t.Run("Options win over the variables", func(t *testing.T) {
		awsfake.ClearEnv(t)
		t.Setenv("AWS_ENDPOINT_URL", nowhere(t))
		t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", nowhere(t))
		t.Setenv("AWS_ENDPOINT_URL_IAM", nowhere(t))
		sm, im := newSM(t, "eu-west-1"), newIAM(t, "eu-west-1")
		sm.fake.AddSecret("payments/db", current())
		im.fake.AddUser("deploy-bot", awsfake.AccessKey{ID: newKey, Created: at("2026-09-01T00:00:00Z"), Status: awsfake.StatusActive})
		if _, err := sm.check.Check(ctx, smSource("payments/db", "")); err != nil {
			t.Fatal(err)
		}
		if _, err := im.check.Check(ctx, iamSource("deploy-bot", "")); err != nil {
			t.Fatal(err)
		}
	})
}

// One checker of each kind serves every goroutine of a run: clients are
// made once per region and shared.
func TestConcurrentChecks(t *testing.T) {
	sm, im := newSM(t, "eu-west-1"), newIAM(t, "eu-west-1")
	sm.fake.SetPageSize(2)
	regions := []string{"eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1"}
	const n = 16
	for i := range n {
		sm.fake.AddSecret(fmt.Sprintf("app/%d", i),
			awsfake.SecretVersion{ID: fmt.Sprintf("prev-%d", i), Created: at("2026-01-01T00:00:00Z"), Stages: []string{awsfake.StagePrevious}},
			awsfake.SecretVersion{ID: fmt.Sprintf("old-%d", i), Created: at("2025-01-01T00:00:00Z")},
			awsfake.SecretVersion{ID: fmt.Sprintf("cur-%d", i), Created: at(fmt.Sprintf("2026-02-%02dT00:00:00Z", i+1)), Stages: []string{awsfake.StageCurrent}})
		im.fake.AddUser(fmt.Sprintf("user-%d", i), awsfake.AccessKey{ID: fmt.Sprintf("AKIACONCURRENT%06d", i), Created: at(fmt.Sprintf("2026-03-%02dT00:00:00Z", i+1)), Status: awsfake.StatusActive})
	}
	sm.fake.ThrottleNext(3)
	im.fake.ThrottleNext(3)

	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Go(func() {
			obs, err := sm.check.Check(ctx, smSource(fmt.Sprintf("app/%d", i), regions[i%len(regions)]))
			if err != nil {
				errs <- err
			} else if !obs.Changed.Equal(at(fmt.Sprintf("2026-02-%02dT00:00:00Z", i+1))) {
				errs <- fmt.Errorf("app/%d: Changed = %s", i, obs.Changed)
			}
		})
		wg.Go(func() {
			obs, err := im.check.Check(ctx, iamSource(fmt.Sprintf("user-%d", i), ""))
			if err != nil {
				errs <- err
			} else if !obs.Changed.Equal(at(fmt.Sprintf("2026-03-%02dT00:00:00Z", i+1))) {
				errs <- fmt.Errorf("user-%d: Changed = %s", i, obs.Changed)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, want := sm.fake.ActionCalls(listVersions), 2*n+3; got != want {
		t.Errorf("Secrets Manager: %d calls, want %d (two pages each, three throttled)", got, want)
	}
	if got, want := im.fake.ActionCalls(listKeys), n+3; got != want {
		t.Errorf("IAM: %d calls, want %d", got, want)
	}
	if got := sm.fake.Regions(); len(got) != len(regions) {
		t.Errorf("Secrets Manager signed for %v, want the %d regions", got, len(regions))
	}
}
