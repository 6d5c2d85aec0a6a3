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
//   - update: an open ticket whose summary, due date, assignee or mapped
//     custom fields (Credential Name, Next Due Date, Contact Person: the
//     search reads them) no longer match the register. Only what differs is
//     written, so an unchanged ticket gets no write. The assignee is
//     compared only when the register sets jira_assignee: rotor never
//     unassigns a person someone chose in Jira.
//   - escalate: a ticket whose credential is overdue and that lacks
//     rotor-overdue gets a comment (days overdue, owner), then the label and
//     the configured priority.
//   - orphan: a ticket whose identity label names a credential that left the
//     register, and that lacks rotor-orphaned, gets a comment, then the label.
//     rotor never closes a ticket.
//
// The comment of an escalation ends with the paragraph
// "rotor:escalation <id> <due date>" and that of an orphaning with
// "rotor:orphaned <id>": plain text, which survives Jira's comment API as
// it is, and by which Apply finds its own comment.
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
// label, and only when the ticket's comments hold none with the action's
// marker paragraph. If the comment fails, the ticket stays unmarked and the
// next run tries again; when the comment landed but its answer was lost, or
// the labelling failed, or the run died between the two, the next run finds
// the comment and only adds the label. Within a run, the Jira adapter does
// not repeat a comment whose answer was lost without first reading the
// comments. This costs one read of the comments per escalation or
// orphaning: calls still grow with the changes.
package reconcile
