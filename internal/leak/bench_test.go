package leak

import (
	"fmt"
	"strings"
	"testing"
)

var (
	genTeams   = []string{"payments", "platform", "data", "identity", "mobile", "search", "billing", "support"}
	genSystems = []string{"postgres", "stripe", "gcp", "aws", "snowflake", "ldap", "vpn", "github", "pagerduty", "looker"}
	genKinds   = []string{"admin password", "API key", "API token", "client secret", "service-account key", "webhook HMAC key", "deploy key", "operator card PIN"}
)

// genRegister writes a register of n credentials shaped like the ones in
// credential_rotation/*.yaml, with every field a real register uses and
// the metadata that most resembles secrets: Confluence and GitHub blob
// URLs, Grafana links, ARNs, Vault paths, service-account emails, Jira
// account ids, image digests and comments. It holds no secret.
func genRegister(n int) []byte {
	var b strings.Builder
	b.WriteString("# yaml-language-server: $schema=../schema/credential.schema.json\n# Credentials owned by many teams. Never put a secret value in the register.\ncredentials:\n")
	for i := range n {
		team := genTeams[i%len(genTeams)]
		sys := genSystems[i%len(genSystems)]
		kind := genKinds[i%len(genKinds)]
		title := strings.ToUpper(team[:1]) + team[1:]
		fmt.Fprintf(&b, "  - id: %s-%s-credential-%d\n", team, sys, i)
		fmt.Fprintf(&b, "    name: %s %s %s %d\n", title, sys, kind, i)
		fmt.Fprintf(&b, "    owner: owner%d@example.com\n", i%500)
		fmt.Fprintf(&b, "    team: %s\n    system: %s-%s\n    environment: production\n", team, team, sys)
		fmt.Fprintf(&b, "    period_days: %d\n    last_changed: 2026-%02d-%02d\n", []int{30, 60, 90, 180, 365}[i%5], 1+i%10, 1+i%28)
		b.WriteString("    criticality: high\n")
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "    runbook: https://wiki.example.com/display/SEC/Rotate+the+%s+%s+Password\n", title, sys)
		case 1:
			fmt.Fprintf(&b, "    runbook: https://github.com/acme/runbooks/blob/%040x/%s/%s.md\n", uint64(i)*0x9e3779b97f4a7c15, team, sys)
		case 2:
			fmt.Fprintf(&b, "    runbook: https://grafana.example.com/d/Xk9pQ2mZz%d/%s?orgId=1&from=now-6h\n", i, team)
		default:
			fmt.Fprintf(&b, "    runbook: https://wiki.example.com/runbooks/%s/%s-%d\n", team, sys, i)
		}
		if i%3 == 0 {
			fmt.Fprintf(&b, "    jira_assignee: \"557058:%08x-5d2f-4e8b-9a61-%012x\"\n", i*2654435761, i*40503)
		}
		fmt.Fprintf(&b, "    description: The password lives in secret/data/%s/%s-admin.\n", team, sys)
		if i%10 == 0 {
			fmt.Fprintf(&b, "    # stored as arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/%s/%s-AbCdEf, read by deploy-bot@my-project-123456.iam.gserviceaccount.com\n", team, sys)
		}
		if i%14 == 0 {
			fmt.Fprintf(&b, "    # image registry.example.com/%s/api@sha256:%064x (SEC-%d)\n", team, uint64(i)*0x9e3779b97f4a7c15, 1000+i)
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// TestGeneratedRegisterIsClean: the benchmark's register, all realistic
// metadata, yields no match.
func TestGeneratedRegisterIsClean(t *testing.T) {
	data := genRegister(2000)
	for _, m := range Scan(data).Matches {
		t.Errorf("%d:%d: %s %q", m.Line, m.Column, m.Kind, m.Secret)
	}
}

// TestScanCleanAllocatesPerScanOnly: a clean line costs no allocation;
// a scan of a clean text allocates its scanner state once, however long.
func TestScanCleanAllocatesPerScanOnly(t *testing.T) {
	small, large := genRegister(10), genRegister(1000)
	a := testing.AllocsPerRun(10, func() { Scan(small) })
	b := testing.AllocsPerRun(10, func() { Scan(large) })
	if a != b || b > 1 {
		t.Errorf("Scan of a clean register: %v allocations for 10 entries, %v for 1000; want the same, at most 1", a, b)
	}
}

// BenchmarkScan scans a 10,000-credential register (about 3 MB).
func BenchmarkScan(b *testing.B) {
	data := genRegister(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		Scan(data)
	}
}
