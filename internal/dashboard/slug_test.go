package dashboard

import (
	"regexp"
	"testing"
)

func TestTeamSlugs(t *testing.T) {
	names := []string{"payments", "Payments", "payments team", "Payments Team", "", "index", "con", "COM1", "lpt9",
		"données", "---", "<script>", "a/../../b", "payments-team-4e2b9a3c", "x" + string(make([]byte, 300)),
		"платежи", "платёжи"}
	got := teamSlugs(names)
	if got["payments"] != "payments" {
		t.Errorf("payments: %q, want payments: a name that is a slug is its own", got["payments"])
	}
	safe := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]string{}
	for _, n := range names {
		s := got[n]
		switch {
		case !safe.MatchString(s):
			t.Errorf("team %q: slug %q is not lower-case kebab", n, s)
		case len(s) > maxSlugBase+20:
			t.Errorf("team %q: slug %q is too long", n, s)
		case reservedSlug(s):
			t.Errorf("team %q: slug %q is reserved", n, s)
		}
		if other, dup := seen[s]; dup {
			t.Errorf("teams %q and %q share the slug %q", other, n, s)
		}
		seen[s] = n
	}
	// A name written to look like another's hashed slug still gets a
	// file of its own.
	forged := slugOf("Payments Team")
	got = teamSlugs([]string{"Payments Team", forged})
	if got["Payments Team"] == got[forged] {
		t.Errorf("%q and %q share %q", "Payments Team", forged, got[forged])
	}
	// A name keeps its slug when other teams come and go.
	if a, b := teamSlugs([]string{"Ops & Infra"})["Ops & Infra"], teamSlugs([]string{"Ops & Infra", "ops", "Zed"})["Ops & Infra"]; a != b {
		t.Errorf("the slug of a team changed with the other teams: %q, then %q", a, b)
	}
}
