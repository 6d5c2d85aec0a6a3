package audit

import (
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// Input is a register's history over a period, as the git adapter reads it.
type Input struct {
	From, To rotation.Date  // the period, both days included
	Location *time.Location // the register's time zone: commit dates are days there; nil is UTC
	// NoticeDays is the register's default notice (rotor.yaml), applied to
	// entries that set none. Zero means rotation.DefaultNoticeDays.
	NoticeDays int

	Provenance Provenance // copied into the pack as given, except First/LastCommit

	// Baseline is the register at the start of the period: every
	// credential in the last commit before From began, nil when the
	// register did not exist yet. BaselineCommit names that commit.
	Baseline       []*rotation.Credential
	BaselineCommit string
	// BaselineUnreadable are the versions of the baseline commit's files
	// (or entries of them) that could not be read, each named by the
	// commit that made it; Baseline holds their last readable versions.
	BaselineUnreadable []Unreadable

	// Commits are the commits of the period on the default branch's
	// first-parent chain, oldest first, each with what it changed in the
	// register.
	Commits []Commit
}

// Commit is one commit of the default branch and the register files it
// changed relative to its first parent.
type Commit struct {
	Hash      string
	Author    rotation.Signature
	Committer rotation.Signature
	Subject   string // the message's first line
	// MergedBy is who put the commit on the branch: its committer, or the
	// author when GitHub committed it (a web merge or squash).
	MergedBy string
	// Recorded lists the Rotor-Credential/Rotor-Ticket trailers of `rotor
	// record` that the commit carries or, for a merge, that a commit it
	// brought in carries.
	Recorded []Trailer
	Files    []FileChange
	// Unreadable are the versions of register files (or entries of them)
	// this commit made that could not be read, by path.
	Unreadable []Unreadable
}

// Trailer is the pair of trailers a `rotor record` commit ends with. A
// commit that carries only Rotor-Ticket has an empty Credential.
type Trailer = rotation.Trailer

// FileChange is one register file a commit added, changed or removed: the
// credentials it held before (none for an added file) and after (none for
// a removed one).
//
// Both are the file as history counts it: a version that cannot be read
// (see Unreadable) holds what the last readable version held, and an
// entry that cannot be read is its last readable entry. So a broken
// commit changes nothing, and the commit that repairs it is compared with
// the last readable version: what changed across the gap counts there.
type FileChange struct {
	Path     string
	Old, New []*rotation.Credential
}

// Unreadable is a version of a register file, or one entry of it, that
// could not be read; the last readable one stands in for it.
type Unreadable struct {
	Path string
	// CredentialID names the entry; "" when the whole file is unreadable.
	CredentialID string
	// Commit made the version.
	Commit string
	// Reason says why, for people: "does not parse (line 3: YAML syntax
	// error: …)", "is too large (…)", "is binary (…)", "is not UTF-8 (…)";
	// for an entry, "has no readable last_changed".
	Reason string
}

// Provenance says where a pack comes from and how to make it again.
type Provenance struct {
	Repository   string `json:"repository"`
	Branch       string `json:"branch"`
	Register     string `json:"register"` // the register folder, relative to the repository
	RotorVersion string `json:"rotor_version"`
	Command      string `json:"command"`  // the command that regenerates the pack
	Timezone     string `json:"timezone"` // the zone dates are given in
}

// Event types.
const (
	EventAdded     = "added"
	EventRemoved   = "removed"
	EventRotation  = "rotation"
	EventPolicy    = "policy"
	EventExemption = "exemption"
)

// Observation kinds: what an auditor would ask about.
const (
	ObsBackdated       = "backdated"
	ObsFutureDate      = "future-date"
	ObsNoTicket        = "no-ticket"
	ObsSelfApproved    = "self-approved-exemption"
	ObsPeriodRaisedDue = "period-raised-while-due"
	ObsHandEdit        = "hand-edit"
	// With the tickets checked in the tracker (rotor audit --jira):
	ObsTicketNotDone = "ticket-not-done" // the rotation's ticket is not done
	ObsTicketUnknown = "ticket-unknown"  // the tracker does not know the ticket
	// History that could not be read (see Unreadable):
	ObsUnreadableFile  = "unreadable-file"  // a version of a register file
	ObsUnreadableEntry = "unreadable-entry" // an entry of a readable version
	// With the secret stores asked (rotor audit --verify):
	ObsStoreUnconfirmed = "store-unconfirmed" // the store shows no version for the rotation
)

// Exemption actions.
const (
	ExemptionGranted   = "granted"
	ExemptionChanged   = "changed"
	ExemptionWithdrawn = "withdrawn"
)

// Pack is the evidence pack: everything the formats show.
type Pack struct {
	From        rotation.Date `json:"from"`
	To          rotation.Date `json:"to"`
	FirstCommit *string       `json:"first_commit"` // the period's oldest commit; null when the period has none
	LastCommit  *string       `json:"last_commit"`  // the period's newest commit
	// BaselineCommit is the commit the period starts from (the register
	// as it was when the period began); null when the register did not
	// exist yet.
	BaselineCommit *string    `json:"baseline_commit"`
	Provenance     Provenance `json:"provenance"`
	// TicketsChecked: each rotation's ticket was looked up in the tracker
	// (rotor audit --jira), which fills the events' ticket_status and
	// ticket_done.
	TicketsChecked bool `json:"tickets_checked"`
	// Stores says when and how each credential's secret store was asked
	// (rotor audit --verify), which fills the credentials' store and the
	// rotations' store marks; absent when the stores were not asked.
	Stores *StoreCheck `json:"stores,omitempty"`

	Summary      Summary       `json:"summary"`
	Credentials  []Credential  `json:"credentials"`  // by id
	Events       []Event       `json:"events"`       // by date, then credential, then history order
	Observations []Observation `json:"observations"` // by date, then credential, then history order
}

// Summary holds the period's figures.
type Summary struct {
	Credentials int `json:"credentials"` // credentials that existed on any day of the period
	Rotations   int `json:"rotations"`
	OnTime      int `json:"on_time"`
	Late        int `json:"late"`
	// OnTimePercent is OnTime/Rotations, rounded down; null without rotations.
	OnTimePercent *int `json:"on_time_percent"`
	// Missed counts credentials overdue on To and not exempt: due inside
	// the period (or before it) and not rotated by its end.
	Missed []string `json:"missed"`
	// OverdueDays sums, over credentials, the days of the period each
	// spent overdue (not exempt, past its due date).
	OverdueDays int `json:"overdue_days"`
	// LongestOverdue is the longest run of consecutive overdue days of
	// one credential inside the period; nil when none was overdue.
	LongestOverdue *Stretch `json:"longest_overdue"`
	ExemptionDays  int      `json:"exemption_days"` // summed over credentials
	Observations   int      `json:"observations"`
	// StoreMarks counts the rotations by their store's mark, with
	// Pack.Stores only.
	StoreMarks *StoreMarks `json:"store_marks,omitempty"`
}

// StoreCheck is how rotor audit --verify asked the secret stores.
type StoreCheck struct {
	On            rotation.Date `json:"on"`             // the day the stores were asked
	ToleranceDays int           `json:"tolerance_days"` // rotor.yaml's verify.tolerance_days
}

// StoreMarks counts the rotations of the period by their store's mark.
type StoreMarks struct {
	Confirmed       int `json:"confirmed"`
	Unconfirmed     int `json:"unconfirmed"`
	BeyondRetention int `json:"beyond_retention"`
	NotKept         int `json:"not_kept"`
	Error           int `json:"error"`
	NoSource        int `json:"no_source"` // rotations of credentials without a source: no mark
}

// Stretch is a run of consecutive days.
type Stretch struct {
	CredentialID string        `json:"credential_id"`
	From         rotation.Date `json:"from"`
	To           rotation.Date `json:"to"`
	Days         int           `json:"days"`
}

// Credential is one credential's record over the period.
type Credential struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Team  string `json:"team"`
	Owner string `json:"owner"`
	// PeriodDays is the policy in force at the end of the period (or when
	// the credential was removed).
	PeriodDays int `json:"period_days"`
	// AddedIn and RemovedIn name the commits, when that happened inside the period.
	AddedIn   *string `json:"added_in"`
	RemovedIn *string `json:"removed_in"`
	// LastChanged and NextDue are as of the end of the period (or removal).
	LastChanged   rotation.Date `json:"last_changed"`
	NextDue       rotation.Date `json:"next_due"`
	Rotations     int           `json:"rotations"`
	Late          int           `json:"late"`
	OverdueDays   int           `json:"overdue_days"`
	ExemptionDays int           `json:"exemption_days"`
	// Missed: overdue on To and not exempt.
	Missed bool `json:"missed"`
	// Exemptions are those active on some day of the period.
	Exemptions []ExemptionPeriod `json:"exemptions"`
	// Source is where the secret lives, as the register names it at the
	// end of the period (or at the removal); nil when it names none. The
	// pack shows it only with Pack.Stores, as Store.
	Source *rotation.Source `json:"-"`
	// Store is what its secret store said, with Pack.Stores, for a
	// credential with a source and a rotation in the period.
	Store *CredentialStore `json:"store,omitempty"`
}

// CredentialStore is what a credential's secret store said when it was
// asked, metadata only.
type CredentialStore struct {
	Source string `json:"source"` // the store and the secret, identifiers only
	// Evidence is the store's line about its current version; for an
	// error, what failed and what to do.
	Evidence string `json:"evidence"`
	Reason   string `json:"reason,omitempty"` // why the store could not be asked (verify's reasons)
	// VersionsKept is how many versions the store keeps; null for a store
	// that keeps no history.
	VersionsKept *int `json:"versions_kept"`
}

// ExemptionPeriod is an exemption in force during the period, and the
// commit that granted it (empty when granted before the period began and
// unchanged since: see the baseline).
type ExemptionPeriod struct {
	Until      rotation.Date `json:"until"`
	Reason     string        `json:"reason"`
	ApprovedBy string        `json:"approved_by"`
	Commit     *string       `json:"commit"`
}

// Event is one change of the register.
type Event struct {
	Type         string        `json:"type"`
	CredentialID string        `json:"credential_id"`
	Date         rotation.Date `json:"date"` // the commit's committer date, in the register's zone
	Time         string        `json:"time"` // the commit's committer time, RFC 3339 in the register's zone
	Commit       string        `json:"commit"`
	Author       string        `json:"author"`    // "Name <email>" of the commit's author
	MergedBy     string        `json:"merged_by"` // who put it on the branch (see Commit.MergedBy)
	PR           *int          `json:"pr"`        // from "Merge pull request #N" or a title ending "(#N)"
	Subject      string        `json:"subject"`

	// rotation
	OldLastChanged  *rotation.Date `json:"old_last_changed,omitempty"`
	NewLastChanged  *rotation.Date `json:"new_last_changed,omitempty"`
	DueDate         *rotation.Date `json:"due_date,omitempty"`
	DaysLate        *int           `json:"days_late,omitempty"`
	Ticket          *string        `json:"ticket,omitempty"`
	RecordedByRotor *bool          `json:"recorded_by_rotor,omitempty"`
	// With TicketsChecked, of a rotation with a ticket: its status in the
	// tracker ("" when the tracker does not know it) and the day it
	// reached done (absent when it has not).
	TicketStatus *string        `json:"ticket_status,omitempty"`
	TicketDone   *rotation.Date `json:"ticket_done,omitempty"`
	// With Pack.Stores, of a rotation of a credential with a source: its
	// mark (see Marks), the version that confirms it (its id, and when it
	// was written, RFC 3339 in the register's zone) and one line that
	// says why.
	StoreMark           string `json:"store_mark,omitempty"`
	StoreVersion        string `json:"store_version,omitempty"`
	StoreVersionCreated string `json:"store_version_created,omitempty"`
	StoreDetail         string `json:"store_detail,omitempty"`

	// policy (and added, for the policy it starts with)
	OldPeriodDays *int `json:"old_period_days,omitempty"`
	NewPeriodDays *int `json:"new_period_days,omitempty"`

	// exemption
	Action     string         `json:"action,omitempty"` // granted, changed, withdrawn
	Until      *rotation.Date `json:"until,omitempty"`
	Reason     *string        `json:"reason,omitempty"`
	ApprovedBy *string        `json:"approved_by,omitempty"`
}

// Observation is something an auditor would flag, with the commit that
// shows it.
type Observation struct {
	Kind         string        `json:"kind"`
	CredentialID string        `json:"credential_id"`
	Date         rotation.Date `json:"date"`
	Commit       string        `json:"commit"`
	Message      string        `json:"message"`
}
