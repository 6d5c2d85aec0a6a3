package relay

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/setting"
)

// Defaults and bounds.
const (
	DefaultAddr         = ":8080"
	DefaultGitHubAPIURL = github.DefaultAPIURL

	// MaxBodyBytes is the largest request body the relay reads (1 MiB).
	MaxBodyBytes = 1 << 20
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes = 32 << 10
	// MinSecretLength is the shortest webhook secret or automation token
	// the relay accepts.
	MinSecretLength = 16

	DefaultForwardTimeout    = 5 * time.Second
	DefaultAttemptTimeout    = 2 * time.Second
	DefaultMaxAttempts       = 4
	DefaultRetryBackoff      = 200 * time.Millisecond
	DefaultDedupeWindow      = time.Hour
	DefaultDedupeEntries     = 10000
	DefaultMaxBodyMemory     = 8 << 20
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultBodyReadTimeout   = 2 * time.Second
	DefaultReadTimeout       = 10 * time.Second
	DefaultWriteTimeout      = 20 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultShutdownTimeout   = 20 * time.Second
)

// Config is everything the relay needs. ConfigFromEnv (main.go) fills the
// settings from the environment; the tuning fields keep their defaults
// when zero. Validate names each setting by its variable.
type Config struct {
	// Addr is the listen address, host:port (":8080"; "127.0.0.1:0" in tests).
	Addr string
	// WebhookSecret is the secret saved with the Jira admin webhook; Jira
	// signs every body with it (X-Hub-Signature). Required.
	WebhookSecret string
	// AutomationToken, when set, enables Jira Automation's "Send web
	// request" sender, which authenticates with X-Rotor-Token.
	AutomationToken string
	// GitHubToken may create repository_dispatch events on Repository.
	GitHubToken string
	// Repository is the register's repository, "owner/name".
	Repository string
	// GitHubAPIURL is the REST API root, ending with "/".
	GitHubAPIURL string

	// ForwardTimeout bounds a whole forward, retries included. It must stay
	// below Jira's webhook timeout so that Jira sees the 502 and retries.
	ForwardTimeout time.Duration
	// AttemptTimeout bounds one call to GitHub.
	AttemptTimeout time.Duration
	// MaxAttempts is how many calls one forward may make (1 = no retry).
	MaxAttempts int
	// RetryBackoff is the pause before the first retry; it doubles after
	// each further attempt (with jitter), unless GitHub asks for longer.
	RetryBackoff time.Duration
	// DedupeWindow is how long a forward is remembered.
	DedupeWindow time.Duration
	// DedupeEntries bounds the forwards remembered (each by its delivery id
	// and its body's digest); the oldest go first.
	DedupeEntries int
	// MaxBodyMemory bounds, in bytes, the memory held by the webhook bodies
	// being read at once (8 MiB). A body must be read before its
	// signature can be checked, so without this bound unauthenticated
	// senders could hold memory; past it the relay answers 503, which Jira
	// retries. A body draws on it only for what it has sent (its first 4
	// KiB are free, and its buffer at most doubles what arrived), and only
	// while it is being read: a sender that sends nothing, or a trickle,
	// holds next to nothing, and a forward under way holds none. A budget
	// under 2 MiB answers the largest legal bodies 503 every time (tests
	// use a small one on purpose); the default holds four of them.
	MaxBodyMemory int64

	// ReadHeaderTimeout bounds the request line and headers.
	ReadHeaderTimeout time.Duration
	// BodyReadTimeout bounds reading a webhook body, from the end of its
	// headers (2 s: Jira sends a 1 MiB body in well under a second).
	// It must not exceed ReadTimeout.
	BodyReadTimeout time.Duration
	// ReadTimeout bounds a whole request that is not a webhook body.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	// ShutdownTimeout bounds the drain in Run.
	ShutdownTimeout time.Duration

	// Now is the clock (time.Now when nil); it dates dedupe entries.
	Now func() time.Time
	// Transport carries the calls to GitHub; nil means a pooled transport
	// built for the relay.
	Transport http.RoundTripper
}

// withDefaults fills the zero tuning fields.
func (c Config) withDefaults() Config {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.GitHubAPIURL == "" {
		c.GitHubAPIURL = DefaultGitHubAPIURL
	}
	set(&c.ForwardTimeout, DefaultForwardTimeout)
	set(&c.AttemptTimeout, DefaultAttemptTimeout)
	set(&c.RetryBackoff, DefaultRetryBackoff)
	set(&c.DedupeWindow, DefaultDedupeWindow)
	set(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	set(&c.BodyReadTimeout, DefaultBodyReadTimeout)
	set(&c.ReadTimeout, DefaultReadTimeout)
	set(&c.WriteTimeout, DefaultWriteTimeout)
	set(&c.IdleTimeout, DefaultIdleTimeout)
	set(&c.ShutdownTimeout, DefaultShutdownTimeout)
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.DedupeEntries == 0 {
		c.DedupeEntries = DefaultDedupeEntries
	}
	if c.MaxBodyMemory == 0 {
		c.MaxBodyMemory = DefaultMaxBodyMemory
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate checks c (after filling defaults) and returns every problem.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if err := CheckAddr(c.Addr); err != nil {
		errs = append(errs, setting.Invalid(EnvAddr, c.Addr, err))
	}
	if err := checkSecret(EnvWebhookSecret, c.WebhookSecret, true); err != nil {
		errs = append(errs, err)
	}
	if err := checkSecret(EnvAutomationToken, c.AutomationToken, false); err != nil {
		errs = append(errs, err)
	}
	if c.AutomationToken != "" && c.AutomationToken == c.WebhookSecret {
		add("%s must differ from %s: the automation token travels in a header, the webhook secret never does", EnvAutomationToken, EnvWebhookSecret)
	}
	if c.GitHubToken == "" {
		add("%s is not set: give the relay a fine-grained token with Contents: read and write on the register repository", EnvGitHubToken)
	} else if err := github.CheckToken(c.GitHubToken); err != nil {
		errs = append(errs, setting.Invalid(EnvGitHubToken, c.GitHubToken, err))
	}
	if c.Repository == "" {
		add("%s: not set: name the register's repository as \"owner/name\"", EnvRepository)
	} else if _, _, err := github.SplitRepository(c.Repository); err != nil {
		errs = append(errs, setting.Invalid(EnvRepository, c.Repository, err))
	}
	if leak.Redact(c.GitHubAPIURL, c.secrets()) != c.GitHubAPIURL {
		errs = append(errs, setting.Invalid(EnvGitHubAPIURL, c.GitHubAPIURL, fmt.Errorf(
			"holds the value of one of the relay's tokens: give only the API URL, e.g. %s, and the token in %s",
			DefaultGitHubAPIURL, EnvGitHubToken)))
	} else if _, err := github.ParseAPIURL(c.GitHubAPIURL); err != nil {
		errs = append(errs, setting.Invalid(EnvGitHubAPIURL, c.GitHubAPIURL, err))
	}

	positive := func(name string, d time.Duration) {
		if d < 0 {
			add("%s must not be negative (got %v)", name, d)
		}
	}
	positive("ForwardTimeout", c.ForwardTimeout)
	positive("AttemptTimeout", c.AttemptTimeout)
	positive("RetryBackoff", c.RetryBackoff)
	positive("DedupeWindow", c.DedupeWindow)
	positive("ReadHeaderTimeout", c.ReadHeaderTimeout)
	positive("BodyReadTimeout", c.BodyReadTimeout)
	positive("ReadTimeout", c.ReadTimeout)
	positive("IdleTimeout", c.IdleTimeout)
	positive("ShutdownTimeout", c.ShutdownTimeout)
	if c.MaxAttempts < 1 || c.MaxAttempts > 10 {
		add("MaxAttempts must be between 1 and 10 (got %d)", c.MaxAttempts)
	}
	if c.MaxBodyMemory < 0 {
		add("MaxBodyMemory must not be negative (got %d)", c.MaxBodyMemory)
	}
	if c.BodyReadTimeout > c.ReadTimeout {
		add("BodyReadTimeout (%v) must not exceed ReadTimeout (%v)", c.BodyReadTimeout, c.ReadTimeout)
	}
	if c.DedupeEntries < 1 || c.DedupeEntries > 1_000_000 {
		add("DedupeEntries must be between 1 and 1000000 (got %d)", c.DedupeEntries)
	}
	if c.WriteTimeout < c.ReadTimeout+c.ForwardTimeout {
		add("WriteTimeout (%v) must cover ReadTimeout (%v) plus ForwardTimeout (%v), or answers are cut off", c.WriteTimeout, c.ReadTimeout, c.ForwardTimeout)
	}
	return errors.Join(errs...)
}

// placeholders are words that mark a secret someone typed by hand.
var placeholders = []string{"changeme", "change-me", "secret", "password", "example", "default", "webhook", "rotor"}

// CheckAddr refuses a listen address that is not host:port or :port. Its
// error does not repeat addr.
func CheckAddr(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("not a listen address: use host:port or :port, e.g. %q", DefaultAddr)
	}
	return nil
}

// checkSecret refuses a missing (when required) or obviously weak secret.
// The messages never repeat the value.
func checkSecret(name, v string, required bool) error {
	const advice = `generate one with "openssl rand -hex 32"`
	if v == "" {
		if !required {
			return nil
		}
		return fmt.Errorf("%s is not set: %s and save the same value as the secret of the Jira webhook", name, advice)
	}
	weak := func(format string, args ...any) error {
		return setting.Invalid(name, v, fmt.Errorf(format+": "+advice, args...))
	}
	if strings.TrimSpace(v) != v {
		return setting.Invalid(name, v, errors.New("leading or trailing white space: remove it (a trailing newline from a file is the usual cause)"))
	}
	if len(v) < MinSecretLength {
		return weak("too short (%d characters, at least %d)", len(v), MinSecretLength)
	}
	distinct := map[rune]bool{}
	for _, r := range v {
		distinct[r] = true
	}
	if len(distinct) < 8 {
		return weak("too weak (only %d distinct characters)", len(distinct))
	}
	lower := strings.ToLower(v)
	for _, p := range placeholders {
		if strings.Contains(lower, p) {
			return weak("hand-written, it seems (it contains the word %q)", p)
		}
	}
	return nil
}

// secrets are the values of c that the relay never prints.
func (c Config) secrets() []string {
	return []string{c.GitHubToken, c.WebhookSecret, c.AutomationToken}
}

// shownAPIURL is GitHubAPIURL as the relay prints it: redacted, and
// without the relay's own secrets should one have been pasted into it.
func (c Config) shownAPIURL() string {
	return leak.Redact(setting.RedactURL(c.GitHubAPIURL), c.secrets())
}

// String describes c without its secrets, so that a stray %v cannot leak
// them.
func (c Config) String() string {
	return fmt.Sprintf("relay.Config{Addr:%q Repository:%q GitHubAPIURL:%q WebhookSecret:%s GitHubToken:%s AutomationToken:%s}",
		c.Addr, c.Repository, c.shownAPIURL(), redacted(c.WebhookSecret), redacted(c.GitHubToken), redacted(c.AutomationToken))
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }

// LogValue implements slog.LogValuer without the secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("repository", c.Repository),
		slog.String("github_api_url", c.shownAPIURL()),
		slog.Bool("automation_sender", c.AutomationToken != ""),
	)
}

// redacted is how String shows a secret: whether it is set, and nothing
// of it.
func redacted(s string) string {
	if s == "" {
		return "unset"
	}
	return leak.Redacted
}
