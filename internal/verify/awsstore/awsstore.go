// Package awsstore is rotor verify's adapter for AWS: Secrets Manager
// (when the secret's AWSCURRENT version was written) and IAM access keys
// (when the user's active key was created), through the AWS SDK for Go v2.
//
// It reads metadata only: ListSecretVersionIds and ListAccessKeys, never
// GetSecretValue, BatchGetSecretValue or CreateAccessKey, and never
// DescribeSecret, whose dates say when the secret was last touched, not
// when its current version was written.
//
// Configuration is the SDK's default chain (config.LoadDefaultConfig):
// environment, shared config and credentials files, web identity (GitHub
// OIDC), container and instance roles; endpoints from AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_IAM, which the SDK
// reads itself, unless Options names one. The requests to the stores go
// through verify.HTTPClient (no redirect followed, plain http only to
// loopback); the SDK's credential providers keep the SDK's own client,
// since an instance or container role is served over plain http on a
// link-local address.
//
// A checker is safe for concurrent use: it loads the configuration once,
// on first use, and keeps one client per region (Secrets Manager) or one
// client (IAM).
package awsstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"

	"github.com/rotor-dev/rotor/internal/setting"
	"github.com/rotor-dev/rotor/internal/verify"
)

// Defaults of Options.
const (
	DefaultMaxAttempts = 5
	DefaultMaxBackoff  = 20 * time.Second
)

// maxPages bounds the pages one check reads: Secrets Manager keeps about
// a hundred versions of a secret and IAM two keys of a user, so a store
// that keeps answering another page is answering something else.
const maxPages = 100

// Options configure a checker. The zero value is the SDK's default chain
// with rotor's retry policy.
type Options struct {
	// SecretsManagerEndpoint and IAMEndpoint, when set, are where the
	// requests go, over AWS_ENDPOINT_URL_SECRETS_MANAGER,
	// AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL and the shared config's
	// endpoint_url, which the SDK reads itself.
	SecretsManagerEndpoint string
	IAMEndpoint            string

	// Transport carries the requests under verify.HTTPClient's guard;
	// nil: a clone of http.DefaultTransport that keeps up to 100 idle
	// connections per host, for many checks at once.
	Transport http.RoundTripper
	// Timeout bounds each attempt; 0: verify.DefaultTimeout.
	Timeout time.Duration

	// MaxAttempts is how many times one request is sent, the first
	// included, while AWS throttles or fails (a throttling error, 429,
	// 5xx, a dropped connection); 0: DefaultMaxAttempts.
	MaxAttempts int
	// MaxBackoff bounds the wait between two attempts; 0:
	// DefaultMaxBackoff.
	MaxBackoff time.Duration
	// Backoff, when set, is the wait before retry number attempt
	// (1-based) in place of the SDK's exponential backoff with jitter:
	// tests give one that waits nothing.
	Backoff func(attempt int) time.Duration

	// LoadOptions are added to config.LoadDefaultConfig's: a profile, a
	// region, static credentials in tests.
	LoadOptions []func(*config.LoadOptions) error
}

// session is what both checkers build their clients from: the
// configuration, loaded once, the HTTP client and the retry policy.
type session struct {
	opts   Options
	http   *http.Client
	config func() (aws.Config, error)
}

func newSession(opts Options) *session {
	base := opts.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 100
		base = t
	}
	s := &session{opts: opts, http: verify.HTTPClient(base, opts.Timeout)}
	s.config = sync.OnceValues(func() (aws.Config, error) {
		cfg, err := config.LoadDefaultConfig(context.Background(), opts.LoadOptions...)
		if err == nil && cfg.Credentials != nil {
			cfg.Credentials = aws.NewCredentialsCache(markCredentials{cfg.Credentials})
		}
		return cfg, err
	})
	return s
}

// markCredentials marks a failure to get credentials, which the SDK
// reports as an untyped error, so that classify can tell it apart.
type markCredentials struct{ p aws.CredentialsProvider }

func (m markCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := m.p.Retrieve(ctx)
	if err != nil {
		return c, &credentialsError{err}
	}
	return c, nil
}

// credentialsError is a failure of the SDK's credential chain.
type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }

// loadConfig returns the SDK's configuration, or a config error saying
// what to fix.
func (s *session) loadConfig() (aws.Config, error) {
	cfg, err := s.config()
	if err != nil {
		return aws.Config{}, verify.Errorf(verify.ReasonConfig, err,
			"cannot load the AWS configuration (%v): check AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE", err)
	}
	return cfg, nil
}

// retryer is rotor's retry policy in the SDK's terms: the standard
// retryer (throttling errors, 429, 5xx and dropped connections), bounded
// by MaxAttempts and MaxBackoff, without the client-side retry quota, so
// that many checks sharing a client during a burst of throttling each
// get their attempts rather than failing at once.
func (s *session) retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = s.opts.MaxAttempts
		if o.MaxAttempts <= 0 {
			o.MaxAttempts = DefaultMaxAttempts
		}
		o.MaxBackoff = s.opts.MaxBackoff
		if o.MaxBackoff <= 0 {
			o.MaxBackoff = DefaultMaxBackoff
		}
		o.RateLimiter = ratelimit.None
		if b := s.opts.Backoff; b != nil {
			o.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
				return b(attempt), nil
			})
		}
	})
}

// regionLabel is what an AWS region name looks like.
var regionLabel = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// scheduledForDeletion is what Secrets Manager's InvalidRequestException
// says about a secret scheduled for deletion.
var scheduledForDeletion = regexp.MustCompile(`(?i)deleted|deletion`)

// call names one request in the messages of its failures.
type call struct {
	service  string // "Secrets Manager", "IAM"
	action   string // the IAM action the caller needs: "secretsmanager:ListSecretVersionIds"
	resource string // what it was asked about
	notFound string // what to say when it does not exist
}

// classify turns a failed request into a *verify.StoreError that says
// what happened and what to do next. It never repeats a header, a
// signature or a credential: the SDK's errors hold none, and a URL in a
// transport error is shown as setting.RedactURL shows it.
func classify(err error, c call) error {
	if se, ok := errors.AsType[*verify.StoreError](err); ok {
		return se // the guard of verify.HTTPClient: plain http to another host
	}
	if ce, ok := errors.AsType[*credentialsError](err); ok {
		return verify.Errorf(verify.ReasonConfig, err,
			"no usable AWS credentials to ask %s (%s): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a role (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE for GitHub OIDC)",
			c.service, setting.RedactURLs(ce.Error()))
	}
	attempts := ""
	if me, ok := errors.AsType[*retry.MaxAttemptsError](err); ok {
		attempts = fmt.Sprintf(" after %d attempts", me.Attempt)
	}
	re, _ := errors.AsType[*awshttp.ResponseError](err)
	if errors.Is(err, verify.ErrRedirect) || re != nil && re.HTTPStatusCode() >= 300 && re.HTTPStatusCode() < 400 {
		return verify.Errorf(verify.ReasonConfig, err,
			"%s answered %s with a redirect, which rotor does not follow (it would carry the request's signature elsewhere): point the endpoint (AWS_ENDPOINT_URL_*, AWS_ENDPOINT_URL) at the API itself",
			c.service, c.action)
	}
	if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
		code := apiErr.ErrorCode()
		switch code {
		case "ResourceNotFoundException", "NoSuchEntity":
			return verify.Errorf(verify.ReasonNotFound, err, "%s", c.notFound)
		case "AccessDeniedException", "AccessDenied":
			return verify.Errorf(verify.ReasonAccessDenied, err,
				"access denied: the AWS identity rotor runs as needs %s on %s", c.action, c.resource)
		case "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch",
			"ExpiredToken", "ExpiredTokenException", "IncompleteSignature", "IncompleteSignatureException",
			"MissingAuthenticationToken", "MissingAuthenticationTokenException":
			return verify.Errorf(verify.ReasonAccessDenied, err,
				"%s refused the AWS credentials rotor runs with (%s): check AWS_PROFILE or AWS_ACCESS_KEY_ID, or the role rotor assumes, and that its session has not expired",
				c.service, code)
		case "InvalidRequestException":
			// Secrets Manager refuses requests about a secret scheduled for deletion.
			if scheduledForDeletion.MatchString(apiErr.ErrorMessage()) {
				return verify.Errorf(verify.ReasonDeleted, err,
					"%s is scheduled for deletion in %s: restore it, or take the source out of the register", c.resource, c.service)
			}
		}
		if _, throttle := retry.DefaultThrottleErrorCodes[code]; throttle {
			return verify.Errorf(verify.ReasonThrottled, err,
				"%s still throttled %s%s (%s): run rotor verify again later, or with fewer checks at a time", c.service, c.action, attempts, code)
		}
	}
	if re != nil {
		status := re.HTTPStatusCode()
		switch {
		case status == http.StatusTooManyRequests:
			return verify.Errorf(verify.ReasonThrottled, err,
				"%s still answered %s with 429 Too Many Requests%s: run rotor verify again later, or with fewer checks at a time", c.service, c.action, attempts)
		case status >= 500:
			return verify.Errorf(verify.ReasonUnreachable, err,
				"%s answered %s with %d %s%s: see the AWS Health Dashboard, and run rotor verify again later", c.service, c.action, status, http.StatusText(status), attempts)
		case status != 0:
			code := "no error code"
			if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
				code = apiErr.ErrorCode()
			}
			return verify.Errorf(verify.ReasonInvalid, err,
				"%s answered %s about %s with %d %s (%s), which rotor cannot read as an answer", c.service, c.action, c.resource, status, http.StatusText(status), code)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return verify.Errorf(verify.ReasonUnreachable, err, "%s did not answer %s in time%s", c.service, c.action, attempts)
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return verify.Errorf(verify.ReasonUnreachable, err,
			"cannot reach %s at %s%s: %s; check the network, a proxy (HTTPS_PROXY) and the endpoint (AWS_ENDPOINT_URL_*)",
			c.service, setting.RedactURL(ue.URL), attempts, setting.RedactURLs(errors.Unwrap(ue).Error()))
	}
	return verify.Errorf(verify.ReasonUnreachable, err, "cannot ask %s for %s%s: %s", c.service, c.resource, attempts, setting.RedactURLs(err.Error()))
}
