package relay

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/setting"
)

// Paths the relay serves.
const (
	PathJira    = "/webhook/jira"
	PathHealthz = "/healthz"
)

// Outcomes, as logged and answered.
const (
	outcomeForwarded    = "forwarded"
	outcomeDuplicate    = "duplicate"
	outcomeDropped      = "dropped"
	outcomeBusy         = "busy"
	outcomeOverloaded   = "overloaded"
	outcomeUnauthorized = "unauthorized"
	outcomeTooLarge     = "too_large"
	outcomeIncomplete   = "incomplete"
	outcomeBadRequest   = "bad_request"
	outcomeBadMethod    = "bad_method"
	outcomeNotFound     = "not_found"
	outcomeUpstream     = "upstream_failed"
	outcomeHealthy      = "healthy"
)

// Server is the relay: an HTTP server that turns Jira's "issue is done"
// events into repository_dispatch events. Open it, then Close it.
type Server struct {
	cfg       Config
	log       *slog.Logger
	macs      *macPool
	autoToken *[sha256.Size]byte // nil: the automation sender is off
	gh        *github.Client     // dispatches to GitHub
	dedupe    *dedupe
	budget    bodyBudget // the memory bodies being read may hold (MaxBodyMemory)

	srv      *http.Server
	ln       net.Listener
	serveErr chan error

	// base is the context of every forward. It outlives a sender that
	// hangs up, so that a forward already under way finishes and is
	// remembered, and it ends when Close gives up draining.
	base       context.Context
	cancelBase context.CancelFunc
	closeOnce  sync.Once
}

// New checks cfg and builds a server; Open starts it.
func New(cfg Config, logger *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	gh, err := newDispatcher(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		log:      logger,
		macs:     newMACPool([]byte(cfg.WebhookSecret)),
		gh:       gh,
		dedupe:   newDedupe(cfg.DedupeEntries, cfg.DedupeWindow, cfg.Now),
		serveErr: make(chan error, 1),
	}
	s.budget.max = cfg.MaxBodyMemory
	if cfg.AutomationToken != "" {
		d := tokenDigest(cfg.AutomationToken)
		s.autoToken = &d
	}
	s.base, s.cancelBase = context.WithCancel(context.Background())
	s.srv = &http.Server{
		Addr:              cfg.Addr,
		Handler:           s,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          log.New(redactingWriter{slog.NewLogLogger(logger.Handler(), slog.LevelWarn).Writer()}, "", 0),
	}
	return s, nil
}

// Open listens on the configured address and serves in the background.
func (s *Server) Open() error {
	if s.ln != nil {
		return errors.New("relay: already open")
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.serveErr <- err
		}
		close(s.serveErr)
	}()
	return nil
}

// URL is the server's base URL, "http://127.0.0.1:PORT"; empty before Open.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	addr := s.ln.Addr().(*net.TCPAddr)
	host := "127.0.0.1"
	if !addr.IP.IsUnspecified() {
		host = addr.IP.String()
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
}

// Close stops accepting connections and waits for the requests in flight
// to finish, or for ctx to end; then it cuts what is left and says so.
func (s *Server) Close(ctx context.Context) error {
	if s.ln == nil {
		return nil
	}
	var err error
	s.closeOnce.Do(func() {
		if err = s.srv.Shutdown(ctx); err != nil {
			s.cancelBase()
			_ = s.srv.Close()
			err = fmt.Errorf("relay: drain cut short: %w", err)
		}
		s.cancelBase()
	})
	return err
}

// Run opens a server for cfg, serves until ctx ends (SIGTERM in main),
// then drains the requests in flight for up to cfg.ShutdownTimeout. It
// returns nil after a clean drain.
func Run(ctx context.Context, cfg Config, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s, err := New(cfg, logger)
	if err != nil {
		return err
	}
	if err := s.Open(); err != nil {
		return err
	}
	logger.Info("relay listening", "url", s.URL(), "config", s.cfg)
	select {
	case <-ctx.Done():
	case err, ok := <-s.serveErr:
		_ = s.Close(context.Background())
		if !ok {
			return errors.New("relay: server stopped unexpectedly")
		}
		return fmt.Errorf("relay: serve: %w", err)
	}
	logger.Info("relay draining", "timeout", s.cfg.ShutdownTimeout.String())
	dctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := s.Close(dctx); err != nil {
		return err
	}
	logger.Info("relay stopped")
	return nil
}

// result is what one request came to: the answer and its log line.
type result struct {
	status  int
	outcome string
	reason  string

	sender       sender
	deliveryID   string
	issueKey     string
	credentialID string
	attempts     int
	err          error // detail for the log only
}

// ServeHTTP routes, answers and writes one log line per request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := strconv.FormatUint(rand.Uint64(), 16)
	var res result
	switch r.URL.Path {
	case PathJira:
		res = s.handleJira(w, r)
	case PathHealthz:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			res = result{status: http.StatusMethodNotAllowed, outcome: outcomeBadMethod, reason: "use GET"}
		} else {
			res = result{status: http.StatusOK, outcome: outcomeHealthy}
		}
	default:
		res = result{status: http.StatusNotFound, outcome: outcomeNotFound, reason: "no such path"}
	}
	res.reason = setting.RedactURLs(res.reason)
	s.respond(w, id, &res)
	s.logRequest(r, id, &res, time.Since(start))
}

type answer struct {
	Outcome   string `json:"outcome"`
	Reason    string `json:"reason,omitempty"`
	RequestID string `json:"request_id"`
}

// Shared header values; net/http never modifies them.
var (
	contentTypeJSON = []string{"application/json"}
	noSniff         = []string{"nosniff"}
)

func (s *Server) respond(w http.ResponseWriter, id string, res *result) {
	b, _ := json.Marshal(answer{Outcome: res.outcome, Reason: res.reason, RequestID: id})
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["X-Content-Type-Options"] = noSniff
	h["X-Request-Id"] = []string{id}
	w.WriteHeader(res.status)
	_, _ = w.Write(append(b, '\n'))
}

func (s *Server) logRequest(r *http.Request, id string, res *result, d time.Duration) {
	level := slog.LevelInfo
	switch {
	case res.status >= 500:
		level = slog.LevelError
	case res.status >= 400:
		level = slog.LevelWarn
	}
	attrs := make([]slog.Attr, 0, 16)
	attrs = append(attrs,
		slog.String("request_id", id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", res.status),
		slog.String("outcome", res.outcome),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.String("remote", r.RemoteAddr),
	)
	if res.reason != "" {
		attrs = append(attrs, slog.String("reason", res.reason))
	}
	if res.sender != "" {
		attrs = append(attrs, slog.String("sender", string(res.sender)))
	}
	if res.deliveryID != "" {
		attrs = append(attrs, slog.String("delivery_id", res.deliveryID))
	}
	if retry := r.Header.Get(HeaderRetry); retry != "" && len(retry) <= 8 {
		attrs = append(attrs, slog.String("jira_retry", retry))
	}
	if res.issueKey != "" {
		attrs = append(attrs, slog.String("issue_key", res.issueKey), slog.String("credential_id", res.credentialID))
	}
	if res.attempts > 0 {
		attrs = append(attrs, slog.Int("attempts", res.attempts))
	}
	if res.err != nil {
		attrs = append(attrs, slog.String("error", setting.RedactURLs(res.err.Error())))
	}
	s.log.LogAttrs(context.Background(), level, "request", attrs...)
}

// handleJira authenticates, reads, filters and forwards one event.
func (s *Server) handleJira(w http.ResponseWriter, r *http.Request) result {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		return result{status: http.StatusMethodNotAllowed, outcome: outcomeBadMethod, reason: "use POST"}
	}

	// Who is sending decides how it authenticates. The static token is
	// checked before the body is read; the signature needs the body.
	from := senderWebhook
	sig := r.Header.Get(HeaderSignature)
	if sig == "" {
		if tok, ok := r.Header[HeaderToken]; ok {
			from = senderAutomation
			if s.autoToken == nil {
				return unauthorized(from, errAutomationOff)
			}
			if err := verifyToken(*s.autoToken, firstOf(tok)); err != nil {
				return unauthorized(from, err)
			}
		}
	}

	if r.ContentLength > MaxBodyBytes {
		discardTooLarge(w, r, false)
		return tooLarge(from)
	}
	b, err := s.readBody(w, r)
	defer b.free()
	switch {
	case errors.Is(err, errBodyTooLarge):
		discardTooLarge(w, r, true)
		return tooLarge(from)
	case errors.Is(err, errBodyBudget):
		w.Header().Set("Retry-After", "1")
		return result{status: http.StatusServiceUnavailable, outcome: outcomeOverloaded, sender: from,
			reason: fmt.Sprintf("the bodies being read fill the %d KiB set aside for them; try again", s.cfg.MaxBodyMemory>>10)}
	case err != nil:
		// The body stopped short: the read timed out or the sender hung
		// up. 408 asks Jira to send it again; 400 would lose it.
		return result{status: http.StatusRequestTimeout, outcome: outcomeIncomplete, sender: from, reason: "the body did not arrive in full", err: err}
	}
	body := b.data

	if from == senderWebhook {
		if err := s.macs.verify(body, sig); err != nil {
			return unauthorized(from, err)
		}
	}

	delivery := r.Header.Get(HeaderDeliveryID)
	if !github.ValidDeliveryID(delivery) {
		return result{status: http.StatusBadRequest, outcome: outcomeBadRequest, sender: from, reason: HeaderDeliveryID + " is not a delivery id"}
	}
	res := result{sender: from, deliveryID: delivery}

	ev, err := decodeEvent(body)
	if err != nil {
		res.status, res.outcome, res.reason = http.StatusBadRequest, outcomeBadRequest, err.Error()
		return res
	}
	p, drop, err := decide(ev, from, delivery, s.cfg.Now())
	switch {
	case err != nil:
		res.status, res.outcome, res.reason = http.StatusBadRequest, outcomeBadRequest, err.Error()
		return res
	case drop != "":
		res.status, res.outcome, res.reason = http.StatusAccepted, outcomeDropped, drop
		return res
	}
	res.issueKey, res.credentialID = p.IssueKey, p.CredentialID

	// Only events to forward are looked up, by their delivery id and by
	// their bytes: the id is not signed.
	sum := sha256.Sum256(body)
	switch s.dedupe.begin(delivery, sum) {
	case dedupeSeenID:
		res.status, res.outcome, res.reason = http.StatusOK, outcomeDuplicate, "delivery already forwarded"
		return res
	case dedupeSeenBody:
		res.status, res.outcome, res.reason = http.StatusOK, outcomeDuplicate, "the same event was already forwarded"
		return res
	case dedupeBusy:
		// Jira retries a 409 later, when the first attempt has finished.
		res.status, res.outcome, res.reason = http.StatusConflict, outcomeBusy, "the same delivery is being forwarded"
		return res
	}
	forwarded := false
	defer func() { s.dedupe.finish(delivery, sum, forwarded) }()

	ctx, cancel := context.WithTimeout(s.base, s.cfg.ForwardTimeout)
	defer cancel()
	res.attempts, err = s.gh.Dispatch(ctx, p)
	if err != nil {
		res.status, res.outcome, res.reason, res.err = http.StatusBadGateway, outcomeUpstream, "GitHub did not accept the dispatch; retry later", err
		return res
	}
	forwarded = true
	res.status, res.outcome, res.reason = http.StatusOK, outcomeForwarded, ""
	return res
}

func tooLarge(from sender) result {
	return result{status: http.StatusRequestEntityTooLarge, outcome: outcomeTooLarge, sender: from, reason: fmt.Sprintf("body over %d bytes", MaxBodyBytes)}
}

func unauthorized(from sender, err error) result {
	return result{status: http.StatusUnauthorized, outcome: outcomeUnauthorized, sender: from, reason: err.Error()}
}

func firstOf(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
