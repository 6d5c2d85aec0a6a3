// Package reconcile keeps Jira in step with the credential register. It is
// the engine of `rotor sync`, split in two steps so that nothing is written
// without a plan a person (or --dry-run) can read first:
//
//  1. Compute is a pure function of the register, the day and the open
//     rotor tickets (one paginated search, done by the caller). It returns a
//     Plan: the actions to take, in a deterministic order, plus warnings and
//     notes about tickets it will leave alone. It does no I/O, so every rule
//     is tested without a tracker.
//  2. Apply runs the plan against a rotation.Tracker, one action after the
//     other. A failed action is recorded and the next one still runs; the
//     Results say which succeeded, which failed and why.
//
// # Actions
//
//   - create: a credential that is due or overdue (not exempt) and has no open
//     ticket gets one, carrying the labels rotor and rotor-<id>. A
//     credential that is already overdue is created with rotor-overdue too,
//     and the tracker gives such a ticket the configured overdue priority in
//     the same request: the escalation is part of the create, so no separate
//     escalate follows it and nothing can happen in between.
//   - update: an open ticket whose summary, due date or assignee no longer
//     matches the register. The assignee is compared only when the register
//     sets jira_assignee: rotor never unassigns a person someone chose in
//     Jira. The mapped custom fields are rewritten with every update.
//   - escalate: a ticket whose credential is overdue and that lacks
//     rotor-overdue gets a comment (days overdue, owner), then the label and
//     the configured priority.
//   - orphan: a ticket whose identity label names a credential that left the
//     register, and that lacks rotor-orphaned, gets a comment, then the label.
//     rotor never closes a ticket.
//
// Open tickets rotor leaves alone are reported: a second open ticket for one
// credential (the oldest, lowest key number, is the one kept up to date), a
// ticket whose credential is ok again or exempt, a ticket without an identity
// label, an orphan already marked.
//
// # Idempotency
//
// Every write is guarded by what the next search sees, so running Compute and
// Apply twice in a row writes nothing the second time:
//
//   - an update makes the ticket match the register, so the next plan finds
//     nothing to change;
//   - escalate and orphan end by adding their marker label, and a ticket that
//     carries the marker is never escalated or orphaned again;
//   - a create makes a ticket with the identity label, which the next search
//     returns, so the credential is not created twice.
//
// Create is the only write that is not idempotent in itself. A run killed
// after Jira created a ticket, before or after rotor learnt its key, is
// harmless: the next run's search finds that ticket by its identity label
// and plans no create. Within a run, the Jira adapter does not repeat a
// create whose answer was lost without first searching for the identity
// label. No per-credential search is made otherwise: Jira calls grow with
// the changes, not with the register.
//
// The comment of an escalation or an orphaning is written before its marker
// label. If the comment fails, the ticket stays unmarked and the next run
// tries again; only when the comment succeeds and the labelling then fails
// (or the run dies between the two) does the next run comment a second time.
// A missed escalation is worse than a repeated comment.
package reconcile
