// Package relay is rotor's one long-running piece: a small, stateless HTTP
// server that receives Jira's "issue updated" webhook (or a Jira Automation
// web request), keeps only the rotor tickets that moved into the done
// status category, and fires a repository_dispatch event
// (rotor.rotation-done) on the register's repository, where `rotor record`
// takes over.
//
// It keeps no state beyond a bounded in-memory cache of what it forwarded
// recently (delivery ids and the SHA-256 of the signed bodies), so that
// Jira's retries of a delivery that did reach GitHub, and replays of a
// signed body under another id, are not forwarded twice. Forwarding is
// at-least-once; the record step asks Jira before it writes anything, so a
// repeated or forged dispatch cannot mark a rotation done.
//
// Until a body's signature is checked its sender is anyone, so reading it
// is bounded in time, in size and in all (body.go); every URL in what the
// relay prints is redacted (redact.go).
package relay
