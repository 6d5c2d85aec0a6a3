// Package relay is rotor's one long-running piece: a small, stateless HTTP
// server that receives Jira's "issue updated" webhook (or a Jira Automation
// web request), keeps only the rotor tickets that moved into the done
// status category, and fires a repository_dispatch event
// (rotor.rotation-done) on the register's repository, where `rotor record`
// takes over.
//
// It keeps no state beyond a bounded in-memory cache of the delivery ids it
// forwarded recently, so that Jira's retries of a delivery that did reach
// GitHub are not forwarded twice. Forwarding is at-least-once; the record
// step asks Jira before it writes anything, so a repeated or forged
// dispatch cannot mark a rotation done.
package relay
