package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	netmail "net/mail"
	"strings"
	"time"
	"unicode"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail: a plain-text body and, optionally, an HTML
// alternative of it, to the To recipients only (a report goes to a list;
// there is no Cc or Bcc).
type Message struct {
	// From is the sender, "Name <addr@example.org>" or a bare address;
	// Config.From when empty.
	From string
	// To are the recipients, in the same forms as From; at least one.
	// A recipient named twice receives the message once.
	To      []string
	Subject string
	// Text is the text/plain body; required. HTML, when set, is the
	// text/html alternative: the message is then multipart/alternative
	// with the text part first (clients show the last part they can).
	Text, HTML string
	// Date is the Date header; required (the caller's clock decides, so
	// that a dry run and a test are reproducible).
	Date time.Time
	// MessageID is the Message-ID without angle brackets
	// ("local@domain"). When empty it is derived from the message's
	// content and date (see WriteEML), so every attempt of one Send
	// carries the same ID and a receiver can recognise a duplicate.
	MessageID string
}

// ErrMessage is wrapped by every error about a Message that cannot be
// sent as it is.
var ErrMessage = errors.New("invalid message")

// maxSubject bounds the subject: RFC 5322 limits a header line to 998
// characters and go-mail folds only at spaces.
const maxSubject = 900

// prepared is a validated Message.
type prepared struct {
	from    *netmail.Address
	to      []*netmail.Address
	subject string
	text    string
	html    string
	date    time.Time
	id      string
}

// prepare validates m, with defaultFrom for an empty m.From.
func prepare(m Message, defaultFrom string) (prepared, error) {
	bad := func(format string, args ...any) (prepared, error) {
		return prepared{}, fmt.Errorf("%w: %s", ErrMessage, fmt.Sprintf(format, args...))
	}
	p := prepared{subject: m.Subject, text: m.Text, html: m.HTML, date: m.Date}
	from := m.From
	if from == "" {
		from = defaultFrom
	}
	if from == "" {
		return bad("no sender; set the From address")
	}
	var err error
	if p.from, err = parseAddress("sender", from); err != nil {
		return prepared{}, err
	}
	if len(m.To) == 0 {
		return bad("no recipients")
	}
	seen := map[string]bool{}
	for _, s := range m.To {
		a, err := parseAddress("recipient", s)
		if err != nil {
			return prepared{}, err
		}
		if k := strings.ToLower(a.Address); !seen[k] {
			seen[k] = true
			p.to = append(p.to, a)
		}
	}
	if c, ok := control(m.Subject); ok {
		return bad("the subject contains the control character %U; a header is one line of text", c)
	}
	if len(m.Subject) > maxSubject {
		return bad("the subject has %d bytes, more than %d", len(m.Subject), maxSubject)
	}
	if m.Text == "" {
		return bad("no plain-text body")
	}
	if m.Date.IsZero() {
		return bad("no date")
	}
	p.id = m.MessageID
	if p.id == "" {
		p.id = derivedID(p)
	} else if !validID(p.id) {
		return bad("Message-ID %q is not of the form local@domain (printable ASCII, no spaces or angle brackets)", p.id)
	}
	return p, nil
}

// parseAddress is ParseAddress for a message: its error wraps ErrMessage.
func parseAddress(role, s string) (*netmail.Address, error) {
	a, err := ParseAddress(role, s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMessage, err)
	}
	return a, nil
}

// control returns the first control character of s other than a tab:
// CR and LF end a header line, the others have no place in one.
func control(s string) (rune, bool) {
	for _, r := range s {
		if r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029') {
			return r, true
		}
	}
	return 0, false
}

// validID reports whether id is local@domain in printable ASCII without
// spaces or angle brackets.
func validID(id string) bool {
	local, domain, ok := strings.Cut(id, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r > '~' || r == '<' || r == '>' {
			return false
		}
	}
	return true
}

// digest is a SHA-256 over every field of p that is sent, each prefixed
// with its length so that no two messages share an input.
func digest(p prepared, purpose string) []byte {
	h := sha256.New()
	put := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	put(purpose)
	put(p.from.String())
	for _, a := range p.to {
		put(a.String())
	}
	put(p.subject)
	put(p.text)
	put(p.html)
	put(p.date.Format(time.RFC3339Nano))
	put(p.id)
	return h.Sum(nil)
}

// derivedID is the Message-ID of a message that names none: 32 hex
// digits of its digest at the sender's domain.
func derivedID(p prepared) string {
	_, domain, _ := strings.Cut(p.from.Address, "@")
	if domain == "" || !validID("x@"+domain) {
		domain = "rotor.invalid"
	}
	return hex.EncodeToString(digest(p, "message-id")[:16]) + "@" + domain
}

// boundary is the multipart boundary: derived from the content, so that
// the output is the same every time, and a hash of the content, so that
// the content cannot contain it.
func boundary(p prepared) string {
	return "rotor-" + hex.EncodeToString(digest(p, "boundary")[:15])
}

// build is p as a go-mail message: UTF-8, quoted-printable parts and
// Q-encoded headers (RFC 2047), no User-Agent, and Auto-Submitted so
// that vacation responders stay quiet (RFC 3834).
func (p prepared) build() *gomail.Msg {
	msg := gomail.NewMsg(
		gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithBoundary(boundary(p)),
		gomail.WithNoDefaultUserAgent(),
	)
	msg.FromMailAddress(p.from)
	msg.ToMailAddress(p.to...)
	msg.Subject(p.subject)
	msg.SetDateWithValue(p.date)
	msg.SetMessageIDWithValue(p.id)
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, p.text)
	if p.html != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, p.html)
	}
	return msg
}

// WriteEML writes m as an RFC 5322 message (an .eml file), exactly as
// Send would transmit it: for a dry run. Its sender is m.From; the
// output depends only on m (the Message-ID and the multipart boundary
// are derived from the content and Date), so it can be golden-tested.
func WriteEML(w io.Writer, m Message) error {
	p, err := prepare(m, "")
	if err != nil {
		return err
	}
	if _, err := p.build().WriteTo(w); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	return nil
}

// WriteEML is the package's WriteEML with the sender's Config.From for
// an empty m.From.
func (s *Sender) WriteEML(w io.Writer, m Message) error {
	if m.From == "" {
		m.From = s.from
	}
	return WriteEML(w, m)
}
