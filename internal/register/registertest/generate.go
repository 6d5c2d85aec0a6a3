// Package registertest generates realistic registers for tests and
// benchmarks.
package registertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

var (
	teams   = []string{"payments", "platform", "data", "identity", "mobile", "search", "billing", "support"}
	systems = []string{"postgres", "stripe", "gcp", "aws", "snowflake", "ldap", "vpn", "github", "pagerduty", "looker"}
)

// Generate writes n valid credentials into dir, perFile to a file, and
// returns the files written. Entries are deterministic; their last_changed
// dates spread over the year before 2026-11-27, so statuses vary.
func Generate(dir string, n, perFile int) ([]string, error) {
	if perFile <= 0 {
		perFile = 1
	}
	var files []string
	for start := 0; start < n; start += perFile {
		var b strings.Builder
		b.WriteString("# yaml-language-server: $schema=../schema/credential.schema.json\ncredentials:\n")
		for i := start; i < min(start+perFile, n); i++ {
			writeEntry(&b, i)
		}
		path := filepath.Join(dir, fmt.Sprintf("team-%05d.yaml", start/perFile))
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			return nil, err
		}
		files = append(files, path)
	}
	return files, nil
}

func writeEntry(b *strings.Builder, i int) {
	team := teams[i%len(teams)]
	system := systems[i%len(systems)]
	periods := []int{30, 60, 90, 180, 365}
	period := periods[i%len(periods)]
	// Days before 2026-11-27, 0..364, as a fixed calendar offset.
	day := 1 + i%28
	month := 1 + (i/28)%10
	fmt.Fprintf(b, "  - id: %s-%s-credential-%d\n", team, system, i)
	fmt.Fprintf(b, "    name: %s %s service password %d\n", strings.ToUpper(team[:1])+team[1:], system, i)
	fmt.Fprintf(b, "    owner: owner%d@example.com\n", i%500)
	fmt.Fprintf(b, "    team: %s\n", team)
	fmt.Fprintf(b, "    system: %s\n", system)
	b.WriteString("    environment: production\n")
	fmt.Fprintf(b, "    period_days: %d\n", period)
	fmt.Fprintf(b, "    last_changed: 2026-%02d-%02d\n", month, day)
	b.WriteString("    criticality: high\n")
	fmt.Fprintf(b, "    runbook: https://wiki.example.com/runbooks/%s/%s\n", team, system)
	fmt.Fprintf(b, "    description: Used by the %s %s integration; rotate with the vendor's console.\n", team, system)
}
