package leak

import (
	"strings"
	"testing"
)

// detectorCase is one line and the single match it must yield, or none
// when kind is "".
type detectorCase struct {
	name, text, kind, secret string
}

func runDetectorCases(t *testing.T, cases []detectorCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res := Scan([]byte(tt.text))
			if tt.kind == "" {
				for _, m := range res.Matches {
					t.Errorf("%q: unexpected %s %q", tt.text, m.Kind, m.Secret)
				}
				return
			}
			if len(res.Matches) != 1 || res.Matches[0].Kind != tt.kind || res.Matches[0].Secret != tt.secret {
				t.Errorf("%q: got %+v, want one %s %q", tt.text, res.Matches, tt.kind, tt.secret)
			}
		})
	}
}

func TestTokenRules(t *testing.T) {
	hex32 := "0123456789abcdef0123456789abcdef"
	runDetectorCases(t, []detectorCase{
		{"AWS key", "key: AKIAQWERTYUIOP234567", "an AWS access key id", "AKIAQWERTYUIOP234567"},
		{"AWS key too long", "key: AKIAQWERTYUIOP2345678", "", ""},
		{"AWS key inside a word", "key: XAKIAQWERTYUIOP234567", "", ""},
		{"GitHub token after =", "GH_TOKEN=ghp_" + strings.Repeat("x1Y2", 9), "a GitHub token", "ghp_" + strings.Repeat("x1Y2", 9)},
		{"GitHub prefix, short body", "# ghp_abc123", "", ""},
		{"Stripe before OpenAI", "# sk_live_" + strings.Repeat("Ab1", 8), "a Stripe secret key", "sk_live_" + strings.Repeat("Ab1", 8)},
		{"Anthropic before OpenAI", "# sk-ant-api03-" + strings.Repeat("aB3-", 22) + "AA", "an Anthropic API key", "sk-ant-api03-" + strings.Repeat("aB3-", 22) + "AA"},
		{"Twilio SK is exact", "# SK" + hex32, "a Twilio API key", "SK" + hex32},
		{"Twilio SK with an extra letter: only random", "# SK" + hex32 + "g", "a high-entropy string", "SK" + hex32 + "g"},
		{"SKU is not a key", "# SKU-1234 of the HSM", "", ""},
		{"Mailgun", "# key-" + hex32, "a Mailgun API key", "key-" + hex32},
		{"api-key-rotation is a name", "id: stripe-api-key-rotation-2026", "", ""},
		{"AccountKey: value only", "# AccountName=x;AccountKey=" + strings.Repeat("Ab3+", 11) + "==;", "an Azure storage account key", strings.Repeat("Ab3+", 11) + "=="},
		{"SAS sig outside a URL", "# se=2026-12-31&sig=" + strings.Repeat("Zx9%2B", 5), "an Azure SAS signature", strings.Repeat("Zx9%2B", 5)},
		{"Telegram: digits before :AA", "# 1234567890:AA" + strings.Repeat("h7_K", 8) + "x", "a Telegram bot token", "1234567890:AA" + strings.Repeat("h7_K", 8) + "x"},
		{"Azure AD client secret", "# abc8Q~" + strings.Repeat("Xy7_", 8), "an Azure AD client secret", "abc8Q~" + strings.Repeat("Xy7_", 8)},
		{"JWT", "# eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlMTIz", "a JSON Web Token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlMTIz"},
		{"Slack webhook in a URL", "url: https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBBBB/" + strings.Repeat("cD4e", 6), "a Slack webhook URL", "hooks.slack.com/services/T0AAAAAAA/B0BBBBBBBBB/" + strings.Repeat("cD4e", 6)},
		{"GCP key file: the private_key value", `{"private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}`, "a GCP service-account key", `-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n`},
		{"a private key header", "# -----BEGIN OPENSSH PRIVATE KEY-----", "a private key block", "-----BEGIN OPENSSH PRIVATE KEY-----"},
		{"a public key header is fine", "# -----BEGIN PUBLIC KEY-----", "", ""},
		{"age", "# AGE-SECRET-KEY-1" + strings.Repeat("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 2)[:58], "an age secret key", "AGE-SECRET-KEY-1" + strings.Repeat("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 2)[:58]},
	})
}

func TestKeywordDetector(t *testing.T) {
	runDetectorCases(t, []detectorCase{
		{"colon", "db password: Winter2024!Pa55", "a password after a keyword", "Winter2024!Pa55"},
		{"equals", "pwd=Tr0ub4dor&3", "a password after a keyword", "Tr0ub4dor&3"},
		{"is", "the root password is hunter2hunter2", "a password after a keyword", "hunter2hunter2"},
		{"space", "# temp password Xk9!mQ2#vL", "a password after a keyword", "Xk9!mQ2#vL"},
		{"inside a key", "db_password: 'S3cret pass!'", "a password after a keyword", "S3cret pass!"},
		{"camelCase key", "ldapBindPassword: Qw3rty!99", "a password after a keyword", "Qw3rty!99"},
		{"upper case key", "DB_PASSWORD=Sup3rS3cret", "a password after a keyword", "Sup3rS3cret"},
		{"JSON", `{"password":"Passw0rd!"}`, "a password after a keyword", "Passw0rd!"},
		{"sentence end", "# the password is Summer2025.", "a password after a keyword", "Summer2025"},
		{"secret", "client_secret: 9f8e7d6c5b4a39281706f5e4d3c2b1a0", "a secret after a keyword", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"},
		{"Vault secret_id is a secret", "secret_id: 7a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", "a secret after a keyword", "7a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"},
		{"token", "token: 3f786850e387550fdab836ed7e6dc881de23001b", "a token after a keyword", "3f786850e387550fdab836ed7e6dc881de23001b"},
		{"api key with a space", "# api key 8c1f9a7e6d5b4c3a2f1e0d9c8b7a6f5e", "an API key after a keyword", "8c1f9a7e6d5b4c3a2f1e0d9c8b7a6f5e"},
		{"PIN", "pin: 4821", "a PIN after a keyword", "4821"},
		{"numeric password", "password: 12345678", "a password after a keyword", "12345678"},
		{"conn string", "Server=db;User ID=app;Password=hunter;", "a password in a connection string", "hunter"},
		// and what must stay quiet
		{"title", "name: Payments DB admin password", "", ""},
		{"prose", "description: rotate the password via the vault UI", "", ""},
		{"placeholder <>", "password: <set in vault>", "", ""},
		{"placeholder ${}", "password: ${DB_PASSWORD}", "", ""},
		{"placeholder $VAR", "api_key: $STRIPE_API_KEY", "", ""},
		{"placeholder mask", "password: '********'", "", ""},
		{"changeme", "password: changeme", "", ""},
		{"1Password reference", `token: see 1Password item "Stripe"`, "", ""},
		{"date after pin", "pin: 2026-01-01", "", ""},
		{"metadata suffix", "password_rotation_days: 90", "", ""},
		{"secret name", "secret_name: payments-db-credentials", "", ""},
		{"plural", "passwords: stored-in-vault-2026", "", ""},
		{"secretsmanager", "system: secretsmanager:eu-west-1", "", ""},
		{"ARN segment", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/db-AbCdEf", "", ""},
		{"Vault path", "secret: secret/data/payments/db-admin", "", ""},
		{"email", "token: deploy-bot@my-project-123456.iam.gserviceaccount.com", "", ""},
		{"URL value", "token_endpoint: https://auth.example.com/oauth2/token", "", ""},
		{"digits after token", "token: 1234567", "", ""},
		{"digits in prose after PIN", "name: HSM operator card PIN 2", "", ""},
		{"k8s name in prose", "# kubectl get secret payments-db-k7b2t9hf4m", "", ""},
		{"identifier", "token: customfield_10052", "", ""},
		{"pinned", "pinned: v1.2.3-beta4x", "", ""},
		{"comparison", "if password == Expected1!", "", ""},
		{"a clause of prose before password=", "description: migrated; password=rotated monthly", "", ""},
	})
}

func TestURLDetector(t *testing.T) {
	runDetectorCases(t, []detectorCase{
		{"userinfo", "url: postgres://admin:S3cr3tPa55@db.internal:5432/app", "a password in a URL", "S3cr3tPa55"},
		{"userinfo, no user", "url: redis://:hunter2hunter2@cache:6379/0", "a password in a URL", "hunter2hunter2"},
		{"query password", "url: postgres://admin@db.internal:5432/app?password=S3cr3t!", "a password in a URL", "S3cr3t!"},
		{"query token", "url: https://api.example.com/x?format=csv&access_token=abc123XYZ789", "a token in a URL", "abc123XYZ789"},
		{"fragment token", "url: https://app.example.com/cb#access_token=abc123XYZ789&type=bearer", "a token in a URL", "abc123XYZ789"},
		{"short sig", "url: https://x.blob.core.windows.net/c?sv=2022-11-02&sig=abc123", "a signature in a URL", "abc123"},
		{"generic key must look secret", "url: https://example.com/a?key=Zx9Qw8Er7Ty6Ui5O", "a token in a URL", "Zx9Qw8Er7Ty6Ui5O"},
		{"generic key, a name", "url: https://jira.example.com/browse?key=SEC-12", "", ""},
		{"user only", "url: postgres://admin@db.internal:5432/app", "", ""},
		{"placeholder password", "url: postgres://admin:${PGPASSWORD}@db:5432/app", "", ""},
		{"placeholder word", "url: postgres://user:password@localhost/db", "", ""},
		{"empty password param", "url: https://x.example.com/?password=&user=a", "", ""},
		{"Confluence title", "url: https://wiki.example.com/display/SEC/Rotate+the+Payments+DB+Password", "", ""},
		{"Grafana", "url: https://grafana.example.com/d/Xk9pQ2mZz/payments?orgId=1&from=now-6h", "", ""},
		{"Google Docs id", "url: https://docs.google.com/document/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit", "", ""},
		{"commit SHA", "url: https://github.com/acme/runbooks/blob/3f786850e387550fdab836ed7e6dc881de23001b/db.md", "", ""},
		// Reserved characters pasted unencoded in a password: the userinfo
		// runs to the last '@' before the host.
		{"# in the password", "url: postgres://app:Xy7#kLm9Qz2Wp@db.internal:5432/app", "a password in a URL", "Xy7#kLm9Qz2Wp"},
		{"/ in the password", "url: postgres://app:Xy7/kLm9Qz2Wp@db.internal:5432/app", "a password in a URL", "Xy7/kLm9Qz2Wp"},
		{"? in the password", "url: postgres://app:Xy7?kLm9Qz2Wp@db.internal:5432/app", "a password in a URL", "Xy7?kLm9Qz2Wp"},
		{"@ and / in the password", "url: postgres://app:p@ss/w0rd@db.internal:5432/app", "a password in a URL", "p@ss/w0rd"},
		{"# in an AMQP password", "# amqp://svc:Ru8#kL2wQ@mq:5672/prod", "a password in a URL", "Ru8#kL2wQ"},
		{"an email as the user", "# smtp://alerts@example.com:Xy7pKm2q@smtp.example.com:587", "a password in a URL", "Xy7pKm2q"},
		{"several hosts", "# mongodb://etl:Qw9#rT4y@h1.internal:27017,h2.internal:27017/app", "a password in a URL", "Qw9#rT4y"},
		{"JDBC parameters after ;", "url: jdbc:sqlserver://db.internal:1433;databaseName=app;user=sa;password=Xy7kLm9Qz2;encrypt=true", "a password in a URL", "Xy7kLm9Qz2"},
		{"JDBC pwd after ;", "# jdbc:jtds:sqlserver://db:1433/app;user=etl;pwd=Rt5#wQ8z", "a password in a URL", "Rt5#wQ8z"},
		// and what must stay quiet
		{"an email in the path", "url: https://people.example.com/users/alice@example.com/profile", "", ""},
		{"an email in the path after a port", "url: https://wiki.example.com:8443/display/~alice@example.com", "", ""},
		{"an email in the query", "url: https://calendar.example.com/embed?src=oncall@example.com&tz=UTC", "", ""},
		{"ssh with a user", "url: ssh://git@github.com:22/acme/runbooks.git", "", ""},
		{"ssh with a user and a path with a colon", "url: ssh://git@github.com:acme/runbooks.git", "", ""},
		{"user@host without a password", "url: https://deploy@registry.example.com/v2/", "", ""},
		{"JDBC without a password", "url: jdbc:sqlserver://db.internal:1433;databaseName=app;integratedSecurity=true", "", ""},
		{"JDBC with a user only", "url: jdbc:postgresql://db:5432/app?user=etl&ssl=true", "", ""},
		{"host:port then an @ in the path", "url: https://registry.example.com:5000/v2/payments/api@sha256", "", ""},
		{"two URLs", "url: https://auth.example.com/login?next=https://app.example.com/a@b", "", ""},
	})
}

// TestOracleConnectString: Oracle's user/password@//host form, as
// sqlplus and the thin JDBC driver take it.
func TestOracleConnectString(t *testing.T) {
	runDetectorCases(t, []detectorCase{
		{"sqlplus", "# sqlplus scott/Tiger2024x@//db.internal:1521/ORCL", "a password in a connection string", "Tiger2024x"},
		{"thin driver", "url: jdbc:oracle:thin:app_user/Xy7#kLm9@//db.internal:1521/payments", "a password in a connection string", "Xy7#kLm9"},
		{"a slash in the password", "# connect etl/Qw9/rT4y2@//db.internal:1521/dwh", "a password in a connection string", "Qw9/rT4y2"},
		// and what must stay quiet
		{"no password", "url: jdbc:oracle:thin:@//db.internal:1521/payments", "", ""},
		{"placeholder", "# sqlplus scott/${ORACLE_PASSWORD}@//db.internal:1521/ORCL", "", ""},
		{"git remote", "# git@github.com:acme/runbooks.git", "", ""},
		{"image digest", "# registry.example.com/payments/api@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "", ""},
	})
}

// TestLineContinuation: a line that ends in a backslash goes on on the
// next line, as in a YAML double-quoted scalar (and a shell or .env line):
// a secret split there is found, one match per line.
func TestLineContinuation(t *testing.T) {
	ghp := "ghp_" + strings.Repeat("x1Y2", 9)
	check(t, "description: \"old token "+ghp[:20]+"\\\n      "+ghp[20:]+" was rotated\"\n", []want{
		{1, 25, "a GitHub token", ghp[:20], false},
		{2, 7, "a GitHub token", ghp[20:], false},
	})
	check(t, "description: \"the password is \\\n  Winter2024!Pa55 for now\"\n", []want{
		{2, 3, "a password after a keyword", "Winter2024!Pa55", false},
	})
	// A comment can only follow the whole run: its allowance allows every
	// line of it.
	check(t, "a: \""+ghp[:20]+"\\\n  "+ghp[20:]+"\" # rotor:allow-leak a documented example\n", []want{
		{1, 5, "a GitHub token", ghp[:20], true},
		{2, 3, "a GitHub token", ghp[20:], true},
	})
	// An escaped backslash does not continue the line.
	check(t, "x: pwd=\\\\\n  Tr0ub4dor&3x\n", nil)
	check(t, "x: pwd=\\\n  Tr0ub4dor&3x\n", []want{{2, 3, "a password after a keyword", "Tr0ub4dor&3x", false}})
}

func TestEntropyDetector(t *testing.T) {
	runDetectorCases(t, []detectorCase{
		{"random alphanumeric", "# zQ8vN3kR7tW2yB5mX9cF4hJ6pL1sD0gA", "a high-entropy string", "zQ8vN3kR7tW2yB5mX9cF4hJ6pL1sD0gA"},
		{"punctuation", "# xK9#mP2$vL8@nQ4!zR7&wT5^", "a high-entropy string", "xK9#mP2$vL8@nQ4!zR7&wT5^"},
		{"base64", "# k3J8+aQ9zL2mX7pW4vB6nR1tY5cE0hU=", "a high-entropy string", "k3J8+aQ9zL2mX7pW4vB6nR1tY5cE0hU="},
		{"quoted", `note: "Hq7#Lp2!Vx9$Mz4&Rt6"`, "a high-entropy string", "Hq7#Lp2!Vx9$Mz4&Rt6"},
		{"after name=", "# HMAC_KEY=Yq3Wz8Lp5Nx2Rv7Tb4Mk9Jd6", "a high-entropy string", "Yq3Wz8Lp5Nx2Rv7Tb4Mk9Jd6"},
		{"UUID", "# 7c9e6679-7425-40de-944b-e07fc1f90ae7", "", ""},
		{"hex SHA", "# 3f786850e387550fdab836ed7e6dc881de23001b", "", ""},
		{"image digest", "# sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "", ""},
		{"SSH fingerprint", "# SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8", "", ""},
		{"SSH public key", "# ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "", ""},
		{"camelCase", "# PaymentsDbAdminPasswordRotationHandler", "", ""},
		{"identifier", "id: payments-postgres-credential-1234", "", ""},
		{"k8s generated suffix", "# payments-db-credentials-k7b2t9hf4m", "", ""},
		{"email", "owner: security-team+payments-rotation@example.com", "", ""},
		{"ARN", "# arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/db-AbCdEf", "", ""},
		{"lower-case letters only", "# abcdefghijklmnopqrstuvwxyz", "", ""},
		{"non-ASCII prose", "# Überprüfungsverantwortlichkeit", "", ""},
	})
}
