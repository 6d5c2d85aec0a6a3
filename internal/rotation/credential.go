package rotation

import (
	"cmp"
	"regexp"
	"time"
)

// Limits of the register format. The JSON Schema in schema/ states the same
// bounds; a test keeps the two in step.
const (
	MinPeriodDays     = 1
	MaxPeriodDays     = 3650
	DefaultNoticeDays = 14
	MaxIDLength       = 64
)

// IDPattern is a lower-case kebab identifier: "payments-db-admin".
const IDPattern = `^[a-z0-9]+(-[a-z0-9]+)*$`

var idPattern = regexp.MustCompile(IDPattern)

// ValidID reports whether id is a well-formed credential id that is not
// reserved.
func ValidID(id string) bool {
	return len(id) <= MaxIDLength && idPattern.MatchString(id) && !ReservedID(id)
}

// ReservedID reports whether id would make an identity label that clashes
// with one of rotor's marker labels (rotor-overdue, rotor-orphaned).
func ReservedID(id string) bool {
	return IdentityLabel(id) == LabelOverdue || IdentityLabel(id) == LabelOrphaned
}

// Position is where a value was written in the register.
type Position struct {
	File   string // slash-separated path, relative to the working directory
	Line   int    // 1-based
	Column int    // 1-based
}

// Exemption suspends tickets for a credential until a date.
type Exemption struct {
	Until      Date
	Reason     string
	ApprovedBy string
}

// Criticality grades how much harm a leaked credential would cause.
type Criticality string

// The criticalities the schema allows.
const (
	CriticalityLow      Criticality = "low"
	CriticalityMedium   Criticality = "medium"
	CriticalityHigh     Criticality = "high"
	CriticalityCritical Criticality = "critical"
)

// CompareCriticality orders criticalities most critical first (critical,
// high, medium, low, none): the tie-break of every list rotor prints.
func CompareCriticality(a, b Criticality) int {
	return cmp.Compare(a.rank(), b.rank())
}

func (c Criticality) rank() int {
	switch c {
	case CriticalityCritical:
		return 0
	case CriticalityHigh:
		return 1
	case CriticalityMedium:
		return 2
	case CriticalityLow:
		return 3
	}
	return 4
}

// Credential is one entry of the register. It holds metadata only: rotor
// never stores secret material.
type Credential struct {
	ID           string
	Name         string
	Owner        string
	PeriodDays   int
	LastChanged  Date
	Team         string
	System       string
	Environment  string
	Description  string
	NoticeDays   int // effective value: the entry's own, else the register default
	JiraAssignee string
	Runbook      string
	Criticality  Criticality
	Exemption    *Exemption
	LastTicket   string
	Source       *Source // where the secret lives, for rotor verify; nil when not said

	Pos Position // where the entry starts
}

// NextDue is the date the next rotation is due: last_changed + period_days.
func (c *Credential) NextDue() Date { return c.LastChanged.AddDays(c.PeriodDays) }

// Status is the state of a credential on a given day.
type Status string

// The statuses, from the calmest to the most urgent; exempt stands apart.
const (
	StatusOK      Status = "ok"
	StatusDue     Status = "due"
	StatusOverdue Status = "overdue"
	StatusExempt  Status = "exempt"
)

// Statuses lists every status, for flag validation and help text.
var Statuses = []Status{StatusOK, StatusDue, StatusOverdue, StatusExempt}

// Evaluation is a credential's derived state on one day.
type Evaluation struct {
	NextDue  Date
	DaysLeft int
	Status   Status
}

// Evaluate derives the status of c on today:
//   - exempt while an exemption's until date is today or later;
//   - overdue when the due date has passed (days_left < 0);
//   - due when 0 <= days_left <= notice_days;
//   - ok otherwise.
func (c *Credential) Evaluate(today Date) Evaluation {
	next := c.NextDue()
	ev := Evaluation{NextDue: next, DaysLeft: today.DaysUntil(next)}
	switch {
	case c.Exemption != nil && !c.Exemption.Until.Before(today):
		ev.Status = StatusExempt
	case ev.DaysLeft < 0:
		ev.Status = StatusOverdue
	case ev.DaysLeft <= c.NoticeDays:
		ev.Status = StatusDue
	default:
		ev.Status = StatusOK
	}
	return ev
}

// Settings are the register-wide settings read from rotor.yaml.
type Settings struct {
	NoticeDays int
	Timezone   *time.Location
	Jira       JiraSettings
	Report     ReportSettings
	Verify     VerifySettings

	File string // the settings file, empty when the register has none
}

// JiraSettings say where and how rotor keeps tickets.
type JiraSettings struct {
	Project         string
	IssueType       string
	OverduePriority string
	Fields          FieldMapping
}

// FieldMapping maps optional Jira custom fields by id (customfield_10050).
type FieldMapping struct {
	CredentialName string
	NextDueDate    string
	ContactPerson  string
}

// ReportSettings configure the weekly report.
type ReportSettings struct {
	Recipients []string
	// TargetPercent is the compliance the register aims at, 0 to 100: the
	// report shows a figure below it as missed.
	TargetPercent int
}

// VerifySettings configure rotor verify, which compares last_changed
// with the date the secret store records for the secret's current version.
type VerifySettings struct {
	// ToleranceDays is how many days the store's date may differ from
	// last_changed and still agree (a rotation late in the evening is
	// written the next day in another zone).
	ToleranceDays int
	// Concurrency bounds the stores asked at once.
	Concurrency int
	// RequireForRecord makes rotor record refuse a rotation the secret
	// store does not confirm.
	RequireForRecord bool
}

// The bounds and defaults of the verify settings. The JSON Schema in
// schema/ states the same; a test keeps the two in step.
const (
	DefaultVerifyToleranceDays = 1
	MaxVerifyToleranceDays     = 30
	DefaultVerifyConcurrency   = 16
	MaxVerifyConcurrency       = 256
)

// DefaultTargetPercent is the compliance target of a register whose
// rotor.yaml sets no report.target_percent.
const DefaultTargetPercent = 95

// DefaultIssueType is the Jira issue type rotor creates unless told otherwise.
const DefaultIssueType = "Secret Rotation Task"

// DefaultSettings returns the settings of a register without rotor.yaml.
func DefaultSettings() Settings {
	return Settings{
		NoticeDays: DefaultNoticeDays,
		Timezone:   time.UTC,
		Jira:       JiraSettings{IssueType: DefaultIssueType},
		Verify:     VerifySettings{ToleranceDays: DefaultVerifyToleranceDays, Concurrency: DefaultVerifyConcurrency},
		Report:     ReportSettings{TargetPercent: DefaultTargetPercent},
	}
}

// Register is the loaded register: every credential plus its settings.
type Register struct {
	Settings    Settings
	Credentials []*Credential
}

// ByID returns the credential with id, or nil.
func (r *Register) ByID(id string) *Credential {
	for _, c := range r.Credentials {
		if c.ID == id {
			return c
		}
	}
	return nil
}
