package dashboard_test

import (
	"os"
	"testing"

	"github.com/rotor-dev/rotor/internal/golden"
)

// TestGolden holds every kind of file of the fixture's site, internal and
// public, to its golden file: the index, a team page (the team whose
// name is not a file name), a credential page (the hostile one), each
// feed and the badge.
func TestGolden(t *testing.T) {
	for _, mode := range []struct {
		name   string
		public bool
		files  []string
	}{
		{"internal", false, []string{"index.html", "teams/platform-infra-88ba1d98.html", "credentials/legacy-ldap-bind.html",
			"credentials/gcp-terraform-sa-key.html", "status.json", "register.csv", "due.ics", "metrics.prom", "badge.svg"}},
		{"public", true, []string{"index.html", "teams/platform-infra-88ba1d98.html", "status.json", "metrics.prom", "badge.svg"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			site := render(t, fixtureInput(mode.public))
			if dir := os.Getenv("ROTOR_DASHBOARD_OUT"); dir != "" {
				if err := site.WriteDir(dir + "/" + mode.name); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range mode.files {
				b := site.File(p)
				if b == nil {
					t.Errorf("the site has no %s; it has %v", p, site.Paths())
					continue
				}
				golden.Check(t, "testdata/"+mode.name+"/"+p+".golden", b)
			}
		})
	}
}
