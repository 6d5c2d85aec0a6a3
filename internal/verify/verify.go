package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// Version is one version of a secret as its store keeps it.
type Version struct {
	ID      string    // the store's version id (never a value)
	Created time.Time // when the store wrote it
	Current bool      // the version in use (AWSCURRENT, current_version, the newest active key)
}

// Observation is what a store says about one secret: metadata only.
type Observation struct {
	// Changed is when the current version was written: the instant judged
	// against last_changed.
	Changed time.Time
	// Evidence is one line a person can check in the store's own console:
	// "AWSCURRENT version 3f2a9c… created 2026-09-01T10:22:03Z".
	Evidence string
	// Warnings are findings that do not change the verdict (a certificate
	// expiring in 10 days).
	Warnings []string
	// Versions are the versions the store still keeps, oldest first, when
	// it keeps history (Secrets Manager, Vault KV v2); nil otherwise. The
	// audit pack matches rotations against them.
	Versions []Version
}

// Checker asks one kind of store about a credential's source. It must only
// read metadata, and must return a *StoreError for every failure it can
// classify.
type Checker interface {
	Check(ctx context.Context, src *rotation.Source) (Observation, error)
}

// Reason classifies a store failure, so the verdict can say what to fix.
type Reason string

// The reasons a store check fails.
const (
	ReasonNotFound     Reason = "not-found"     // the secret, user, path or host does not exist
	ReasonAccessDenied Reason = "access-denied" // the credentials rotor runs with may not read the metadata
	ReasonThrottled    Reason = "throttled"     // still throttled after the retries
	ReasonUnreachable  Reason = "unreachable"   // network, DNS, timeout, 5xx after the retries
	ReasonTLS          Reason = "tls"           // the handshake or the certificate failed verification
	ReasonAmbiguous    Reason = "ambiguous"     // e.g. two active IAM keys: a rotation left half done
	ReasonDeleted      Reason = "deleted"       // the current version is deleted or destroyed
	ReasonConfig       Reason = "config"        // rotor's own settings for the store are missing or wrong
	ReasonInvalid      Reason = "invalid"       // the store answered something rotor cannot read
)

// StoreError is a classified failure of one check. Detail says what
// happened and what to do next; it never holds a token, key or signature.
type StoreError struct {
	Reason Reason
	Detail string
	Err    error // the underlying error, for errors.Is/As; never printed
}

func (e *StoreError) Error() string { return string(e.Reason) + ": " + e.Detail }

func (e *StoreError) Unwrap() error { return e.Err }

// Errorf returns a *StoreError with a formatted detail.
func Errorf(reason Reason, err error, format string, args ...any) *StoreError {
	return &StoreError{Reason: reason, Detail: fmt.Sprintf(format, args...), Err: err}
}

// Verdict is the outcome of comparing the store with the register.
type Verdict string

// The verdicts, in the order rotor lists them (most urgent first).
const (
	VerdictError       Verdict = "error"       // the store could not say: exit 1
	VerdictUnconfirmed Verdict = "unconfirmed" // the register claims a rotation the store never saw: exit 1
	VerdictUnrecorded  Verdict = "unrecorded"  // the secret changed after the last recorded rotation: a warning
	VerdictConfirmed   Verdict = "confirmed"   // within tolerance_days of last_changed
	VerdictNoSource    Verdict = "no-source"   // the credential names no store: counted, not failed
)

// Verdicts lists every verdict, most urgent first.
var Verdicts = []Verdict{VerdictError, VerdictUnconfirmed, VerdictUnrecorded, VerdictConfirmed, VerdictNoSource}

// Failed reports whether v fails a run (exit 1).
func (v Verdict) Failed() bool { return v == VerdictError || v == VerdictUnconfirmed }

// Judge compares the day the store wrote the current version, in loc (the
// register's time zone), with lastChanged: confirmed within toleranceDays
// either way, unrecorded when later, unconfirmed when earlier. It returns the
// store's date too.
func Judge(changed time.Time, lastChanged rotation.Date, toleranceDays int, loc *time.Location) (Verdict, rotation.Date) {
	storeDate := rotation.DateOf(changed.In(loc))
	diff := lastChanged.DaysUntil(storeDate) // > 0: the store is later
	switch {
	case diff > toleranceDays:
		return VerdictUnrecorded, storeDate
	case diff < -toleranceDays:
		return VerdictUnconfirmed, storeDate
	}
	return VerdictConfirmed, storeDate
}

// ShowsRotation is the gate of rotor record with verify.require_for_record:
// whether the store's current version, written at changed, is a rotation
// done on done that followed the one recorded on previous. It is when the
// store's date, in loc, is after previous and either later than it by more
// than toleranceDays (the version the previous rotation wrote is within
// them) or within toleranceDays of done. It returns the store's date too.
func ShowsRotation(changed time.Time, previous, done rotation.Date, toleranceDays int, loc *time.Location) (bool, rotation.Date) {
	since, storeDate := Judge(changed, previous, toleranceDays, loc)
	at, _ := Judge(changed, done, toleranceDays, loc)
	return previous.DaysUntil(storeDate) > 0 && (since == VerdictUnrecorded || at == VerdictConfirmed), storeDate
}

// ReasonOf returns the reason of a *StoreError in err's chain, or
// ReasonUnreachable for an error a store did not classify (a context
// deadline, a transport failure).
func ReasonOf(err error) Reason {
	if se, ok := errors.AsType[*StoreError](err); ok {
		return se.Reason
	}
	return ReasonUnreachable
}
