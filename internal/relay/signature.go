package relay

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
	"sync"
)

// Headers the relay reads.
const (
	HeaderSignature  = "X-Hub-Signature"
	HeaderToken      = "X-Rotor-Token"
	HeaderDeliveryID = "X-Atlassian-Webhook-Identifier"
	HeaderRetry      = "X-Atlassian-Webhook-Retry"
)

const signaturePrefix = "sha256="

// Authentication failures. Their texts are what the sender sees: they say
// what is wrong, never what was expected.
var (
	errNoSignature        = errors.New("missing " + HeaderSignature + " header")
	errMalformedSignature = errors.New(HeaderSignature + " is not sha256=<64 hex digits>")
	errBadSignature       = errors.New(HeaderSignature + " does not match the body")
	errBadToken           = errors.New(HeaderToken + " is not valid")
	errAutomationOff      = errors.New(HeaderToken + " is not accepted: the automation sender is off")
)

// Sign returns the X-Hub-Signature value Jira sends for body:
// "sha256=" and the hex HMAC-SHA256 of body keyed by secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// verifySignature checks header against the HMAC-SHA256 of body in
// constant time.
func verifySignature(secret, body []byte, header string) error {
	return checkSignature(hmac.New(sha256.New, secret), body, header)
}

// checkSignature is verifySignature with a keyed HMAC to reuse.
func checkSignature(mac hash.Hash, body []byte, header string) error {
	if header == "" {
		return errNoSignature
	}
	if len(header) != len(signaturePrefix)+2*sha256.Size || !strings.EqualFold(header[:len(signaturePrefix)], signaturePrefix) {
		return errMalformedSignature
	}
	var got, want [sha256.Size]byte
	if _, err := hex.Decode(got[:], []byte(header[len(signaturePrefix):])); err != nil {
		return errMalformedSignature
	}
	mac.Reset()
	mac.Write(body)
	if !hmac.Equal(got[:], mac.Sum(want[:0])) {
		return errBadSignature
	}
	return nil
}

// macPool keeps keyed HMACs for reuse: keying one costs two SHA-256
// blocks and several allocations, on every request otherwise.
type macPool struct{ pool sync.Pool }

func newMACPool(secret []byte) *macPool {
	key := bytes.Clone(secret)
	return &macPool{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

func (m *macPool) verify(body []byte, header string) error {
	mac := m.pool.Get().(hash.Hash)
	defer m.pool.Put(mac)
	return checkSignature(mac, body, header)
}

// tokenDigest is what a static token is compared by: hashing both sides
// first makes the comparison independent of the lengths too.
func tokenDigest(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

// verifyToken compares a presented token with the expected digest in
// constant time.
func verifyToken(want [sha256.Size]byte, got string) error {
	d := tokenDigest(got)
	if got == "" || subtle.ConstantTimeCompare(want[:], d[:]) != 1 {
		return errBadToken
	}
	return nil
}
