package audit

import (
	"slices"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// TicketInfo is what the tracker says about one ticket.
type TicketInfo struct {
	Found  bool          // the tracker knows the ticket (and lets rotor see it)
	Status string        // its status name, e.g. "Done"
	Done   bool          // its status is in the done category
	DoneOn rotation.Date // the day it reached done, in the register's zone; zero when not done
}

// Tickets returns the distinct tickets of the pack's rotations, sorted.
func (p *Pack) Tickets() []string {
	var keys []string
	for _, e := range p.Events {
		if e.Type == EventRotation && e.Ticket != nil && *e.Ticket != "" {
			keys = append(keys, *e.Ticket)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// CheckTickets adds what the tracker says about each rotation's ticket
// (info holds every key Tickets returned): its status and the day it was
// done on the event, and an observation for a ticket that is not done or
// that the tracker does not know. A second call replaces what the first
// added.
func (p *Pack) CheckTickets(info map[string]TicketInfo) {
	p.TicketsChecked = true
	p.Observations = slices.DeleteFunc(p.Observations, func(o Observation) bool {
		return o.Kind == ObsTicketNotDone || o.Kind == ObsTicketUnknown
	})
	for i := range p.Events {
		e := &p.Events[i]
		if e.Type != EventRotation || e.Ticket == nil || *e.Ticket == "" {
			continue
		}
		t := info[*e.Ticket]
		e.TicketStatus, e.TicketDone = ptr(t.Status), nil
		obs := Observation{CredentialID: e.CredentialID, Date: e.Date, Commit: e.Commit}
		switch {
		case !t.Found:
			obs.Kind, obs.Message = ObsTicketUnknown, "the tracker does not know ticket "+*e.Ticket+" (or rotor's user cannot see it)"
		case !t.Done:
			obs.Kind, obs.Message = ObsTicketNotDone, "ticket "+*e.Ticket+" is not done: its status is "+t.Status
		default:
			if !t.DoneOn.IsZero() {
				e.TicketDone = ptr(t.DoneOn)
			}
			continue
		}
		p.Observations = append(p.Observations, obs)
	}
	p.Observations = sortByDay(p.Observations, func(o Observation) (rotation.Date, string) { return o.Date, o.CredentialID })
	p.Summary.Observations = len(p.Observations)
}
