package rotation

import "testing"

func TestEvaluate(t *testing.T) {
	today := MustParseDate("2026-11-27")
	base := func() *Credential {
		// Due on 2026-12-11: 14 days from today.
		return &Credential{ID: "x", PeriodDays: 90, LastChanged: MustParseDate("2026-09-12"), NoticeDays: 14}
	}
	tests := []struct {
		name     string
		edit     func(c *Credential)
		wantDue  string
		wantLeft int
		want     Status
	}{
		{name: "first day of the notice window", edit: func(*Credential) {}, wantDue: "2026-12-11", wantLeft: 14, want: StatusDue},
		{name: "a day before the notice window", edit: func(c *Credential) { c.NoticeDays = 13 }, wantDue: "2026-12-11", wantLeft: 14, want: StatusOK},
		{name: "due today", edit: func(c *Credential) { c.LastChanged = MustParseDate("2026-08-29") }, wantDue: "2026-11-27", wantLeft: 0, want: StatusDue},
		{name: "due yesterday", edit: func(c *Credential) { c.LastChanged = MustParseDate("2026-08-28") }, wantDue: "2026-11-26", wantLeft: -1, want: StatusOverdue},
		{name: "zero notice is due only on the day", edit: func(c *Credential) { c.NoticeDays = 0 }, wantDue: "2026-12-11", wantLeft: 14, want: StatusOK},
		{name: "exempt until today", edit: func(c *Credential) {
			c.LastChanged = MustParseDate("2026-01-01")
			c.Exemption = &Exemption{Until: today}
		}, wantDue: "2026-04-01", wantLeft: -240, want: StatusExempt},
		{name: "exemption ended yesterday", edit: func(c *Credential) {
			c.LastChanged = MustParseDate("2026-01-01")
			c.Exemption = &Exemption{Until: today.AddDays(-1)}
		}, wantDue: "2026-04-01", wantLeft: -240, want: StatusOverdue},
		{name: "leap day plus a year", edit: func(c *Credential) {
			c.LastChanged = MustParseDate("2028-02-29")
			c.PeriodDays = 365
		}, wantDue: "2029-02-28", wantLeft: 824, want: StatusOK},
		{name: "month end", edit: func(c *Credential) {
			c.LastChanged = MustParseDate("2026-10-31")
			c.PeriodDays = 30
		}, wantDue: "2026-11-30", wantLeft: 3, want: StatusDue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.edit(c)
			ev := c.Evaluate(today)
			if ev.NextDue.String() != tt.wantDue || ev.DaysLeft != tt.wantLeft || ev.Status != tt.want {
				t.Fatalf("Evaluate = {%s %d %s}, want {%s %d %s}", ev.NextDue, ev.DaysLeft, ev.Status, tt.wantDue, tt.wantLeft, tt.want)
			}
		})
	}
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{
		"payments-db-admin": true, "a": true, "a1-b2": true, "0day": true,
		"overdue": false, "orphaned": false, "overdue-key": true,
		"": false, "Payments": false, "a--b": false, "-a": false, "a-": false, "a_b": false, "a b": false,
		"a234567890123456789012345678901234567890123456789012345678901234":  true,
		"a2345678901234567890123456789012345678901234567890123456789012345": false,
	} {
		if got := ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestCredentialIDFromLabels(t *testing.T) {
	tests := []struct {
		labels []string
		want   string
		ok     bool
	}{
		{[]string{"rotor", "rotor-payments-db"}, "payments-db", true},
		{[]string{"rotor", "rotor-overdue", "rotor-orphaned", "rotor-x"}, "x", true},
		{[]string{"rotor", "rotor-overdue"}, "", false},
		{[]string{"rotor-Bad_Label"}, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		got, ok := CredentialIDFromLabels(tt.labels)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CredentialIDFromLabels(%q) = %q, %v; want %q, %v", tt.labels, got, ok, tt.want, tt.ok)
		}
	}
}
