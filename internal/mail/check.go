package mail

import "context"

// Check does what Send does before the message, once and without a
// retry: it connects, says hello, starts TLS as the URL says (STARTTLS
// for smtp://, TLS from the start for smtps://, none for an Insecure
// relay) and logs in when the URL carries credentials; then it says QUIT.
// It sends nothing. Its error is an *Error of the kinds Send's are
// (ErrAuth, ErrNoSTARTTLS, ErrTLS, ErrRefused, ErrUnavailable), naming
// the server by host:port and never showing the password.
func (s *Sender) Check(ctx context.Context) error {
	d := &dialer{sender: s, ctx: ctx}
	defer d.close()
	c, client, e := s.connect(ctx, d)
	if e != nil {
		return e
	}
	// The server accepted all rotor needs of the conversation; a QUIT it
	// does not answer changes nothing about that.
	_ = c.CloseWithSMTPClient(client)
	return nil
}
