package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/golden"
	"github.com/rotor-dev/rotor/internal/mail"
	"github.com/rotor-dev/rotor/internal/mail/mailtest"
)

const (
	user     = "reports@example.org"
	password = "s3cr3t p@ss/wörd"
	subject  = "Secret rotation: 91% on time, 3 overdue (week 48) — Überfällig ✓"
)

var date = time.Date(2026, 11, 23, 7, 30, 0, 0, time.FixedZone("CET", 3600))

// report is a message like the weekly report: non-ASCII in the subject,
// a name and both bodies, a line longer than 76 characters, a line that
// is a lone dot and one that starts with "From ".
func report() mail.Message {
	return mail.Message{
		From:    "Rotor reports <rotor@example.org>",
		To:      []string{"security@example.org", "Équipe Sécurité <team@example.org>", "SECURITY@example.org"},
		Subject: subject,
		Text: "Secret rotation, week 48\n\n" +
			"Compliance 91% (+3): 42 of 46 credentials on time, 3 overdue, 1 exempt. Überfällig: db-prod, api-key-payments, and one more with a long name.\n" +
			".\n" +
			"From the register at 3f2a9c1.\n",
		HTML: `<table role="presentation" style="border-collapse:collapse"><tr><td style="background:#2e7d32;width:91%">&nbsp;</td></tr></table>` +
			"\n<p>Überfällig: <b>3</b> &lt;script&gt;</p>\n",
		Date: date,
	}
}

func newSender(t *testing.T, srv *mailtest.Server, rawURL string, sl *fakeapi.Sleeper) *mail.Sender {
	t.Helper()
	s, err := mail.New(mail.Config{URL: rawURL, Timeout: 3 * time.Second, Sleep: sl.Sleep, TLSConfig: srv.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkMessage parses data as the report: headers, a multipart/alternative
// body with a text/plain and a text/html part in UTF-8 and
// quoted-printable, and the bodies as sent.
func checkMessage(t *testing.T, data []byte, want mail.Message) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	h := msg.Header
	dec := new(mime.WordDecoder)
	if got, err := dec.DecodeHeader(h.Get("Subject")); err != nil || got != want.Subject {
		t.Errorf("Subject = %q (%v), want %q", got, err, want.Subject)
	}
	if raw := h.Get("Subject"); !strings.Contains(raw, "=?UTF-8?") {
		t.Errorf("Subject %q is not RFC 2047 encoded", raw)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "rotor@example.org" || from[0].Name != "Rotor reports" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := h.AddressList("To")
	if err != nil {
		t.Fatalf("To: %v", err)
	}
	var addrs []string
	for _, a := range to {
		addrs = append(addrs, a.Name+" <"+a.Address+">")
	}
	if wantTo := []string{" <security@example.org>", "Équipe Sécurité <team@example.org>"}; !slices.Equal(addrs, wantTo) {
		t.Errorf("To = %q, want %q", addrs, wantTo)
	}
	for _, name := range []string{"Cc", "Bcc"} {
		if v := h.Get(name); v != "" {
			t.Errorf("%s = %q, want none", name, v)
		}
	}
	if d, err := h.Date(); err != nil || !d.Equal(want.Date) {
		t.Errorf("Date = %v (%v), want %v", d, err, want.Date)
	}
	if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.org>") {
		t.Errorf("Message-ID = %q", id)
	}
	if got := h.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", got)
	}
	if got := h.Get("Mime-Version"); got != "1.0" {
		t.Errorf("MIME-Version = %q", got)
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" || params["boundary"] == "" {
		t.Fatalf("Content-Type = %q (%v)", h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for i, part := range []struct{ typ, body string }{{"text/plain", want.Text}, {"text/html", want.HTML}} {
		p, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		mt, pp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || mt != part.typ || !strings.EqualFold(pp["charset"], "UTF-8") {
			t.Errorf("part %d Content-Type = %q, want %s; charset=UTF-8", i, p.Header.Get("Content-Type"), part.typ)
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Errorf("part %d Content-Transfer-Encoding = %q", i, cte)
		}
		raw, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(raw), "\r\n") {
			if len(line) > 76 {
				t.Errorf("part %d has an encoded line of %d characters", i, len(line))
			}
		}
		body, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatalf("part %d: quoted-printable: %v", i, err)
		}
		if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != part.body {
			t.Errorf("part %d body = %q, want %q", i, got, part.body)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("a third part, or %v", err)
	}
}

func TestSendSTARTTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.StartTLS, Username: user, Password: password})
	var sl fakeapi.Sleeper
	s := newSender(t, srv, srv.URL(user, password), &sl)
	attempts, err := s.Send(context.Background(), report())
	if err != nil || attempts != 1 {
		t.Fatalf("Send = %d, %v", attempts, err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages arrived, want 1", len(got))
	}
	if got[0].From != "rotor@example.org" {
		t.Errorf("MAIL FROM %q", got[0].From)
	}
	if want := []string{"security@example.org", "team@example.org"}; !slices.Equal(got[0].To, want) {
		t.Errorf("RCPT TO %q, want %q", got[0].To, want)
	}
	if srv.Authenticated() != 1 {
		t.Errorf("%d authentications", srv.Authenticated())
	}
	checkMessage(t, got[0].Data, report())
}

func TestSendImplicitTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.Implicit, Username: user, Password: password})
	var sl fakeapi.Sleeper
	raw := srv.URL(user, password)
	if !strings.HasPrefix(raw, "smtps://") {
		t.Fatalf("URL %q", raw)
	}
	s := newSender(t, srv, raw, &sl)
	if attempts, err := s.Send(context.Background(), report()); err != nil || attempts != 1 {
		t.Fatalf("Send = %d, %v", attempts, err)
	}
	if got := srv.Messages(); len(got) != 1 {
		t.Fatalf("%d messages arrived, want 1", len(got))
	} else {
		checkMessage(t, got[0].Data, report())
	}
}

func TestSendInsecureRelay(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.NoTLS})
	var sl fakeapi.Sleeper
	s, err := mail.New(mail.Config{URL: srv.URL("", ""), Insecure: true, Sleep: sl.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	if attempts, err := s.Send(context.Background(), report()); err != nil || attempts != 1 {
		t.Fatalf("Send = %d, %v", attempts, err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages arrived, want 1", n)
	}
}

func TestSendSTARTTLSNotOffered(t *testing.T) {
	for _, creds := range []bool{true, false} {
		t.Run(map[bool]string{true: "with credentials", false: "without"}[creds], func(t *testing.T) {
			srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.NoTLS, Username: map[bool]string{true: user}[creds], Password: password})
			var sl fakeapi.Sleeper
			raw := srv.URL("", "")
			if creds {
				raw = srv.URL(user, password)
			}
			s := newSender(t, srv, raw, &sl)
			attempts, err := s.Send(context.Background(), report())
			if !errors.Is(err, mail.ErrNoSTARTTLS) {
				t.Fatalf("Send = %v, want ErrNoSTARTTLS", err)
			}
			const want = "the server does not offer STARTTLS; use smtps:// or, only on a trusted network, --smtp-insecure"
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
			if attempts != 1 || len(sl.Waits()) != 0 {
				t.Errorf("%d attempts, waits %v: a missing STARTTLS is not retried", attempts, sl.Waits())
			}
			if len(srv.Messages()) != 0 || srv.Authenticated() != 0 {
				t.Errorf("sent anyway: %d messages, %d authentications", len(srv.Messages()), srv.Authenticated())
			}
		})
	}
}

func TestSendUntrustedCertificate(t *testing.T) {
	for _, mode := range []mailtest.TLSMode{mailtest.StartTLS, mailtest.Implicit} {
		srv := mailtest.Start(t, mailtest.Options{TLS: mode, Username: user, Password: password})
		var sl fakeapi.Sleeper
		s, err := mail.New(mail.Config{URL: srv.URL(user, password), Sleep: sl.Sleep})
		if err != nil {
			t.Fatal(err)
		}
		attempts, err := s.Send(context.Background(), report())
		if !errors.Is(err, mail.ErrTLS) || attempts != 1 {
			t.Errorf("mode %d: Send = %d, %v; want one attempt and ErrTLS", mode, attempts, err)
		} else if !strings.Contains(err.Error(), "certificate") {
			t.Errorf("error %q does not mention the certificate", err)
		}
		if srv.Authenticated() != 0 || len(srv.Messages()) != 0 {
			t.Errorf("mode %d: credentials or message sent over an untrusted connection", mode)
		}
	}
}

func TestSendRetries(t *testing.T) {
	tests := []struct {
		name      string
		script    []mailtest.Failure
		attempts  int
		delivered int
		kind      error // nil: success
		code      int
		waits     []time.Duration
	}{
		{name: "421 then 451 then accepted", script: []mailtest.Failure{{Stage: mailtest.Mail, Code: 421}, {Stage: mailtest.Data, Code: 451}},
			attempts: 3, delivered: 1, waits: []time.Duration{time.Second, 2 * time.Second}},
		{name: "connection reset then accepted", script: []mailtest.Failure{{Stage: mailtest.Connect}},
			attempts: 2, delivered: 1, waits: []time.Duration{time.Second}},
		{name: "EHLO 421 then accepted", script: []mailtest.Failure{{Stage: mailtest.Hello, Code: 421}},
			attempts: 2, delivered: 1, waits: []time.Duration{time.Second}},
		{name: "450 on RCPT then accepted", script: []mailtest.Failure{{Stage: mailtest.Rcpt, Code: 450}},
			attempts: 2, delivered: 1, waits: []time.Duration{time.Second}},
		{name: "550 is final", script: []mailtest.Failure{{Stage: mailtest.Rcpt, Code: 550, Message: "no such user"}},
			attempts: 1, kind: mail.ErrRefused, code: 550},
		{name: "554 after DATA is final", script: []mailtest.Failure{{Stage: mailtest.Data, Code: 554, Message: "spam"}},
			attempts: 1, kind: mail.ErrRefused, code: 554},
		{name: "temporary three times", script: []mailtest.Failure{{Stage: mailtest.Mail, Code: 421}, {Stage: mailtest.Mail, Code: 421}, {Stage: mailtest.Mail, Code: 451}},
			attempts: 3, kind: mail.ErrUnavailable, code: 451, waits: []time.Duration{time.Second, 2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.Start(t, mailtest.Options{Username: user, Password: password, Script: tt.script})
			var sl fakeapi.Sleeper
			s, err := mail.New(mail.Config{URL: srv.URL(user, password), RetryDelay: time.Second, Sleep: sl.Sleep, TLSConfig: srv.ClientTLS()})
			if err != nil {
				t.Fatal(err)
			}
			attempts, err := s.Send(context.Background(), report())
			if attempts != tt.attempts {
				t.Errorf("attempts = %d, want %d (%v)", attempts, tt.attempts, err)
			}
			if got := len(srv.Messages()); got != tt.delivered {
				t.Errorf("%d messages delivered, want %d", got, tt.delivered)
			}
			if !slices.Equal(sl.Waits(), tt.waits) {
				t.Errorf("waits %v, want %v", sl.Waits(), tt.waits)
			}
			if tt.kind == nil {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			var me *mail.Error
			if !errors.Is(err, tt.kind) || !errors.As(err, &me) || me.Code != tt.code {
				t.Fatalf("Send error %v (%#v), want %v with code %d", err, me, tt.kind, tt.code)
			}
			if tt.kind == mail.ErrUnavailable && !strings.Contains(err.Error(), "gave up after 3 attempts") {
				t.Errorf("error %q does not say how often it tried", err)
			}
		})
	}
}

// A connection that breaks after the message was sent, before the server
// confirmed it, is not repeated: the message may have arrived.
func TestSendUncertainIsNotRepeated(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: password, Script: []mailtest.Failure{{Stage: mailtest.Drop}}})
	var sl fakeapi.Sleeper
	s := newSender(t, srv, srv.URL(user, password), &sl)
	attempts, err := s.Send(context.Background(), report())
	if attempts != 1 || !errors.Is(err, mail.ErrUncertain) || !strings.Contains(err.Error(), "may have been delivered") {
		t.Errorf("Send = %d, %v; want one attempt and ErrUncertain", attempts, err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestSendConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var sl fakeapi.Sleeper
	s, err := mail.New(mail.Config{URL: "smtps://" + addr, Sleep: sl.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	attempts, err := s.Send(context.Background(), report())
	if attempts != 3 || !errors.Is(err, mail.ErrUnavailable) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("Send = %d, %v; want 3 attempts and ErrUnavailable", attempts, err)
	}
}

func TestSendStopsWithContext(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: password, Script: []mailtest.Failure{{Stage: mailtest.Mail, Code: 421}}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sl := fakeapi.Sleeper{Hook: func(context.Context, time.Duration) error { cancel(); return nil }}
	s := newSender(t, srv, srv.URL(user, password), &sl)
	attempts, err := s.Send(ctx, report())
	if attempts != 1 || !errors.Is(err, context.Canceled) {
		t.Errorf("Send = %d, %v; want 1 attempt and context.Canceled", attempts, err)
	}
	if len(srv.Messages()) != 0 {
		t.Error("sent after the context ended")
	}
}

// passwordForms are the password and the forms it takes on the wire.
func passwordForms() []string {
	return []string{
		password,
		url.QueryEscape(password),
		url.PathEscape(password),
		base64.StdEncoding.EncodeToString([]byte(password)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password)),
		"p@ss", "wörd",
	}
}

func TestSendWrongPassword(t *testing.T) {
	tests := []struct {
		name    string
		failure *smtp.SMTPError
	}{
		{name: "535"},
		// A server that quotes what it was sent must not make rotor print it.
		{name: "server echoes the password", failure: &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
			Message: "bad credentials " + password + " " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+password)) + " " + url.QueryEscape(password)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.Start(t, mailtest.Options{Username: user, Password: "the right one", AuthFailure: tt.failure})
			var sl fakeapi.Sleeper
			s := newSender(t, srv, srv.URL(user, password), &sl)
			attempts, err := s.Send(context.Background(), report())
			if !errors.Is(err, mail.ErrAuth) || attempts != 1 {
				t.Fatalf("Send = %d, %v; want one attempt and ErrAuth", attempts, err)
			}
			wants := []string{"refused the credentials", `"` + user + `"`, "535", "check the user name and password"}
			if tt.failure != nil {
				wants = append(wants, "bad credentials [redacted] [redacted] [redacted]")
			}
			for _, want := range wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			var me *mail.Error
			if !errors.As(err, &me) || me.Code != 535 || me.Temporary {
				t.Errorf("Error = %#v", me)
			}
			texts := []string{err.Error(), s.Endpoint().String(), srv.Log()}
			for e := error(err); e != nil; e = errors.Unwrap(e) {
				texts = append(texts, e.Error())
			}
			for _, u := range me.Unwrap() {
				texts = append(texts, u.Error())
			}
			for _, text := range texts {
				for _, form := range passwordForms() {
					if strings.Contains(text, form) {
						t.Errorf("%q contains the password as %q", text, form)
					}
				}
			}
			if len(srv.Messages()) != 0 {
				t.Error("a message was delivered")
			}
		})
	}
}

// TestSendPasswordEchoedInPieces: a password of any length is taken out
// of what the server says, even one that is a piece of the marker that
// replaces it, and occurrences that overlap leave no piece behind; the
// text rotor writes around it is left alone.
func TestSendPasswordEchoedInPieces(t *testing.T) {
	tests := []struct{ name, password, said, want string }{
		{"short", "Zq", "bad credentials Zq here", "bad credentials [redacted] here"},
		{"a piece of the marker", "dact", "bad credentials dact here", "bad credentials [redacted] here"},
		{"a bracket", "]", "bad credentials ] here", "bad credentials [redacted] here"},
		{"overlapping", "Zq9Zq9", "bad credentials Zq9Zq9Zq9 here", "bad credentials [redacted] here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failure := &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: tt.said}
			srv := mailtest.Start(t, mailtest.Options{Username: user, Password: "the right one", AuthFailure: failure})
			var sl fakeapi.Sleeper
			s := newSender(t, srv, srv.URL(user, tt.password), &sl)
			_, err := s.Send(context.Background(), report())
			if !errors.Is(err, mail.ErrAuth) {
				t.Fatalf("Send = %v, want ErrAuth", err)
			}
			for _, want := range []string{tt.want, "check the user name and password"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []mail.Config{
		{URL: "smtp://relay.internal:25", Insecure: true, From: "not an address"},
		{URL: "smtp://u:" + password + "@relay.internal:25", Insecure: true},
		{URL: "ftp://u:" + password + "@relay.internal"},
	} {
		_, err := mail.New(cfg)
		if err == nil {
			t.Errorf("New(%+v) = nil error", cfg.URL)
			continue
		}
		for _, form := range passwordForms() {
			if strings.Contains(err.Error(), form) {
				t.Errorf("%q contains the password", err)
			}
		}
	}
}

func TestMessageValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(*mail.Message)
		want string
	}{
		{name: "LF in subject", edit: func(m *mail.Message) { m.Subject = "Report\nBcc: attacker@example.net" }, want: "subject contains the control character U+000A"},
		{name: "CR in subject", edit: func(m *mail.Message) { m.Subject = "Report\r" }, want: "U+000D"},
		{name: "CRLF in From name", edit: func(m *mail.Message) { m.From = "Rotor\r\nBcc: attacker@example.net <rotor@example.org>" }, want: "sender"},
		{name: "quoted control in name", edit: func(m *mail.Message) { m.To = []string{"\"a\\\nb\" <a@example.org>"} }, want: "control character"},
		{name: "bad recipient", edit: func(m *mail.Message) { m.To = []string{"security@"} }, want: `the recipient "security@" is not an e-mail address`},
		{name: "no recipients", edit: func(m *mail.Message) { m.To = nil }, want: "no recipients"},
		{name: "no sender", edit: func(m *mail.Message) { m.From = "" }, want: "no sender"},
		{name: "no text", edit: func(m *mail.Message) { m.Text = "" }, want: "no plain-text body"},
		{name: "no date", edit: func(m *mail.Message) { m.Date = time.Time{} }, want: "no date"},
		{name: "bad Message-ID", edit: func(m *mail.Message) { m.MessageID = "<x@y>" }, want: "Message-ID"},
		{name: "long subject", edit: func(m *mail.Message) { m.Subject = strings.Repeat("x", 901) }, want: "more than 900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := report()
			tt.edit(&m)
			err := mail.WriteEML(io.Discard, m)
			if !errors.Is(err, mail.ErrMessage) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WriteEML = %v, want ErrMessage with %q", err, tt.want)
			}
		})
	}
}

func TestWriteEML(t *testing.T) {
	var a, b bytes.Buffer
	if err := mail.WriteEML(&a, report()); err != nil {
		t.Fatal(err)
	}
	if err := mail.WriteEML(&b, report()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renderings of one message differ")
	}
	checkMessage(t, a.Bytes(), report())
	if bytes.Contains(bytes.ReplaceAll(a.Bytes(), []byte("\r\n"), nil), []byte("\n")) {
		t.Error("a line ends without CR")
	}
	golden.Check(t, filepath.Join("testdata", "report.eml.golden"), a.Bytes())

	m := report()
	m.Text += "changed"
	var c bytes.Buffer
	if err := mail.WriteEML(&c, m); err != nil {
		t.Fatal(err)
	}
	id := func(b []byte) string {
		msg, err := netmail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return msg.Header.Get("Message-Id")
	}
	if id(a.Bytes()) == id(c.Bytes()) {
		t.Error("two different messages share a Message-ID")
	}
	m.MessageID = "weekly-2026-48@example.org"
	c.Reset()
	if err := mail.WriteEML(&c, m); err != nil {
		t.Fatal(err)
	}
	if got := id(c.Bytes()); got != "<weekly-2026-48@example.org>" {
		t.Errorf("Message-ID %q", got)
	}
}

// The .eml of a dry run is byte for byte what the server receives.
func TestWriteEMLIsWhatIsSent(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: password})
	var sl fakeapi.Sleeper
	s := newSender(t, srv, srv.URL(user, password), &sl)
	if _, err := s.Send(context.Background(), report()); err != nil {
		t.Fatal(err)
	}
	var eml bytes.Buffer
	if err := s.WriteEML(&eml, report()); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(); len(got) != 1 || !bytes.Equal(got[0].Data, eml.Bytes()) {
		t.Errorf("sent and written messages differ:\nsent:\n%s\nwritten:\n%s", got[0].Data, eml.Bytes())
	}
}

func TestTextOnly(t *testing.T) {
	m := report()
	m.HTML = ""
	var b bytes.Buffer
	if err := mail.WriteEML(&b, m); err != nil {
		t.Fatal(err)
	}
	msg, err := netmail.ReadMessage(&b)
	if err != nil {
		t.Fatal(err)
	}
	if mt, _, _ := mime.ParseMediaType(msg.Header.Get("Content-Type")); mt != "text/plain" {
		t.Errorf("Content-Type %q, want text/plain", msg.Header.Get("Content-Type"))
	}
}
