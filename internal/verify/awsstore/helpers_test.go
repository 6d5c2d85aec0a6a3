package awsstore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/verify"
	"github.com/rotor-dev/rotor/internal/verify/awsstore"
	"github.com/rotor-dev/rotor/internal/verify/awsstore/awsfake"
)

// backoffs records the retries the SDK asked for and waits none of them.
type backoffs struct {
	mu       sync.Mutex
	attempts []int
}

func (b *backoffs) wait(attempt int) time.Duration {
	b.mu.Lock()
	b.attempts = append(b.attempts, attempt)
	b.mu.Unlock()
	return 0
}

func (b *backoffs) count() int { b.mu.Lock(); defer b.mu.Unlock(); return len(b.attempts) }

func smSource(secret, region string) *rotation.Source {
	return &rotation.Source{AWSSecretsManager: &rotation.AWSSecretsManagerSource{Secret: secret, Region: region}}
}

func iamSource(user, key string) *rotation.Source {
	return &rotation.Source{AWSIAMAccessKey: &rotation.AWSIAMAccessKeySource{User: user, AccessKeyID: key}}
}

// smFixture is a fake Secrets Manager and a checker pointed at it.
type smFixture struct {
	fake    *awsfake.SecretsManager
	check   *awsstore.SecretsManager
	backoff *backoffs
}

func newSM(t *testing.T, region string) smFixture {
	t.Helper()
	fake := awsfake.NewSecretsManager(t)
	b := &backoffs{}
	return smFixture{fake: fake, backoff: b, check: awsstore.NewSecretsManager(awsstore.Options{
		SecretsManagerEndpoint: fake.URL,
		Backoff:                b.wait,
		LoadOptions:            awsfake.LoadOptions(region),
	})}
}

// iamFixture is a fake IAM and a checker pointed at it.
type iamFixture struct {
	fake    *awsfake.IAM
	check   *awsstore.IAM
	backoff *backoffs
}

func newIAM(t *testing.T, region string) iamFixture {
	t.Helper()
	fake := awsfake.NewIAM(t)
	b := &backoffs{}
	return iamFixture{fake: fake, backoff: b, check: awsstore.NewIAM(awsstore.Options{
		IAMEndpoint: fake.URL,
		Backoff:     b.wait,
		LoadOptions: awsfake.LoadOptions(region),
	})}
}

// wantStoreError fails the test unless err is a *verify.StoreError of
// reason whose detail holds every one of parts, and holds no secret.
func wantStoreError(t *testing.T, err error, reason verify.Reason, parts ...string) *verify.StoreError {
	t.Helper()
	se, ok := errors.AsType[*verify.StoreError](err)
	if !ok {
		t.Fatalf("err = %v (%T), want a *verify.StoreError", err, err)
	}
	if se.Reason != reason {
		t.Errorf("reason = %s, want %s (detail: %s)", se.Reason, reason, se.Detail)
	}
	for _, p := range parts {
		if !strings.Contains(se.Detail, p) {
			t.Errorf("detail %q does not say %q", se.Detail, p)
		}
	}
	noSecret(t, se.Error())
	return se
}

// noSecret fails the test if text holds the secret key or a signature.
func noSecret(t *testing.T, text string) {
	t.Helper()
	for _, s := range []string{awsfake.SecretAccessKey, "Signature=", "AWS4-HMAC-SHA256"} {
		if strings.Contains(text, s) {
			t.Errorf("%q shows %q", text, s)
		}
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

var ctx = context.Background()
