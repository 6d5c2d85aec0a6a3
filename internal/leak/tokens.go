package leak

import "regexp"

// A charset is a set of bytes, looked up in one step.
type charset [256]bool

func newCharset(spec string) *charset {
	var cs charset
	for i := 0; i < len(spec); i++ {
		if i+2 < len(spec) && spec[i+1] == '-' {
			for c := spec[i]; c <= spec[i+2]; c++ {
				cs[c] = true
			}
			i += 2
			continue
		}
		cs[spec[i]] = true
	}
	return &cs
}

var (
	csAlnum     = newCharset("A-Za-z0-9")
	csAlnumU    = newCharset("A-Za-z0-9_")
	csAlnumUD   = newCharset("A-Za-z0-9_-")
	csAlnumUDE  = newCharset("A-Za-z0-9_=-")
	csAlnumUDED = newCharset("A-Za-z0-9_.=-")
	csHex       = newCharset("0-9a-fA-F")
	csHexLower  = newCharset("0-9a-f")
	csHexDash   = newCharset("0-9a-fA-F-")
	csUpperNum  = newCharset("A-Z0-9")
	csLetters   = newCharset("A-Za-z")
	csBase64    = newCharset("A-Za-z0-9+/=")
	csBase64Pct = newCharset("A-Za-z0-9+/=%")
	csBase64U   = newCharset("A-Za-z0-9+/=_")
	csDigits    = newCharset("0-9")
	csBech32    = newCharset("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")
	csWebhook   = newCharset("A-Za-z0-9/+_-")
	csTeams     = newCharset("A-Za-z0-9@/-")
)

// A tokenRule is one known token shape: a literal prefix followed by a
// body of bytes from one charset, of bounded length. The prefix is what
// the scanner looks for (dispatched on its first byte), so a rule costs
// nothing on a line that does not contain it.
type tokenRule struct {
	kind   string
	prefix string
	body   *charset // bytes allowed after the prefix (unused when re is set)
	min    int      // shortest body
	max    int      // longest body; 0: unbounded
	// back, backMin, backMax: bytes allowed before the prefix that belong to
	// the token (a Telegram bot id before ":A..."); backMin > 0 requires them.
	back             *charset
	backMin, backMax int
	// valueOnly: the secret is the body alone, without the prefix
	// (AccountKey=..., sig=...), so redaction keeps the readable key name.
	valueOnly bool
	// inWord: the prefix may follow a letter or digit (it starts with a
	// delimiter such as "." or ":" itself, or is a host name in a URL).
	inWord bool
	// re, when set, replaces body/min/max: it must match at the prefix
	// (it is anchored with ^); the secret is its first group if it has
	// one, else the whole match.
	re *regexp.Regexp
	// check, when set, must also accept the token ln[start:end].
	check func(tok []byte) bool
}

// azureADSecret: three characters, a digit, then Q~ (xyz8Q~...).
func azureADSecret(tok []byte) bool { return len(tok) > 5 && isDigit(tok[3]) && tok[4] == 'Q' }

// The kinds of an AWS access key id. An id is no secret on its own, but
// it is half of a key pair, and a line that holds one often holds the
// other: Scan reports it everywhere, and a caller that knows a field holds
// key ids by design (a register's source.aws_iam_access_key.access_key_id)
// may let exactly such a match through there.
const (
	KindAWSAccessKeyID          = "an AWS access key id"
	KindAWSTemporaryAccessKeyID = "an AWS temporary access key id"
)

// tokenRules are tried in order; an earlier rule wins where two overlap
// (Anthropic's sk-ant- before OpenAI's sk-, a GCP key file's private_key
// before the private key block inside it).
var tokenRules = []tokenRule{
	{kind: "a GCP service-account key", prefix: `"private_key"`, re: regexp.MustCompile(`^"private_key"\s*:\s*"([^"]{16,})`)},
	{kind: KindAWSAccessKeyID, prefix: "AKIA", body: csUpperNum, min: 16, max: 16},
	{kind: KindAWSTemporaryAccessKeyID, prefix: "ASIA", body: csUpperNum, min: 16, max: 16},
	{kind: KindAWSAccessKeyID, prefix: "ABIA", body: csUpperNum, min: 16, max: 16},
	{kind: KindAWSAccessKeyID, prefix: "ACCA", body: csUpperNum, min: 16, max: 16},
	{kind: "a GitHub token", prefix: "ghp_", body: csAlnum, min: 30},
	{kind: "a GitHub token", prefix: "gho_", body: csAlnum, min: 30},
	{kind: "a GitHub token", prefix: "ghu_", body: csAlnum, min: 30},
	{kind: "a GitHub token", prefix: "ghs_", body: csAlnum, min: 30},
	{kind: "a GitHub token", prefix: "ghr_", body: csAlnum, min: 30},
	{kind: "a GitHub token", prefix: "github_pat_", body: csAlnumU, min: 40},
	{kind: "a GitLab token", prefix: "glpat-", body: csAlnumUDED, min: 20},
	{kind: "a GitLab token", prefix: "gldt-", body: csAlnumUD, min: 20},
	{kind: "a GitLab token", prefix: "glrt-", body: csAlnumUDED, min: 20},
	{kind: "a GitLab token", prefix: "glptt-", body: csHex, min: 40},
	{kind: "a GitLab token", prefix: "glft-", body: csAlnumUD, min: 20},
	{kind: "a GitLab token", prefix: "glsoat-", body: csAlnumUD, min: 20},
	{kind: "a GitLab token", prefix: "glimt-", body: csAlnumUD, min: 25},
	{kind: "a GitLab token", prefix: "glagent-", body: csAlnumUD, min: 50},
	{kind: "a GitLab token", prefix: "gloas-", body: csAlnumUD, min: 64},
	{kind: "a GitLab token", prefix: "glcbt-", body: csAlnumUD, min: 20},
	{kind: "a Slack token", prefix: "xox", re: regexp.MustCompile(`^xox[abposre](?:\.xox[bp])?-[A-Za-z0-9-]{10,}`)},
	{kind: "a Slack token", prefix: "xapp-", re: regexp.MustCompile(`^xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+`)},
	{kind: "a Slack webhook URL", prefix: "hooks.slack.com/", re: regexp.MustCompile(`^hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}`)},
	{kind: "a Discord webhook URL", prefix: "discord.com/api/webhooks/", body: csWebhook, min: 60},
	{kind: "a Discord webhook URL", prefix: "discordapp.com/api/webhooks/", body: csWebhook, min: 60},
	{kind: "a Microsoft Teams webhook URL", prefix: ".webhook.office.com/webhookb2/", body: csTeams, min: 60, inWord: true},
	{kind: "a Stripe secret key", prefix: "sk_live_", body: csAlnum, min: 20},
	{kind: "a Stripe secret key", prefix: "rk_live_", body: csAlnum, min: 20},
	{kind: "a Stripe secret key", prefix: "sk_test_", body: csAlnum, min: 20},
	{kind: "a Stripe secret key", prefix: "rk_test_", body: csAlnum, min: 20},
	{kind: "a Google API key", prefix: "AIza", body: csAlnumUD, min: 35, max: 35},
	{kind: "a Google OAuth access token", prefix: "ya29.", body: csAlnumUD, min: 20},
	{kind: "an Atlassian API token", prefix: "ATATT", body: csAlnumUDE, min: 30},
	{kind: "an npm token", prefix: "npm_", body: csAlnum, min: 36, max: 36},
	{kind: "a SendGrid API key", prefix: "SG.", re: regexp.MustCompile(`^SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}`)},
	{kind: "an Anthropic API key", prefix: "sk-ant-", body: csAlnumUD, min: 80},
	{kind: "an OpenAI API key", prefix: "sk-", body: csAlnumUD, min: 32},
	{kind: "a 1Password service-account token", prefix: "ops_eyJ", body: csBase64, min: 100},
	{kind: "a Grafana token", prefix: "eyJrIjoi", body: csBase64, min: 50},
	{kind: "a JSON Web Token", prefix: "eyJ", re: regexp.MustCompile(`^eyJ[A-Za-z0-9_-]{8,}\.ey[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_/-]{8,}`)},
	{kind: "an Azure storage account key", prefix: "AccountKey=", body: csBase64, min: 20, valueOnly: true},
	{kind: "an Azure shared access key", prefix: "SharedAccessKey=", body: csBase64, min: 20, valueOnly: true},
	{kind: "an Azure SAS signature", prefix: "sig=", body: csBase64Pct, min: 16, valueOnly: true},
	{kind: "an Azure AD client secret", prefix: "~", re: regexp.MustCompile(`^~[A-Za-z0-9_~.-]{31,34}`), back: newCharset("A-Za-z0-9_~."), backMin: 5, backMax: 5, inWord: true, check: azureADSecret},
	{kind: "a Twilio API key", prefix: "SK", body: csHex, min: 32, max: 32},
	{kind: "a Twilio account SID", prefix: "AC", body: csHexLower, min: 32, max: 32},
	{kind: "a Mailgun API key", prefix: "key-", body: csHexLower, min: 32, max: 32},
	{kind: "a HashiCorp Vault token", prefix: "hvs.", body: csAlnumUD, min: 24},
	{kind: "a HashiCorp Vault token", prefix: "hvb.", body: csAlnumUD, min: 24},
	{kind: "a HashiCorp Terraform token", prefix: ".atlasv1.", body: csAlnumUDE, min: 60, back: csAlnum, backMin: 14, backMax: 14, inWord: true},
	{kind: "a PyPI upload token", prefix: "pypi-AgEI", body: csAlnumUD, min: 50},
	{kind: "a Docker Hub token", prefix: "dckr_pat_", body: csAlnumUD, min: 20},
	{kind: "a Docker Hub token", prefix: "dckr_oat_", body: csAlnumUD, min: 20},
	{kind: "a Shopify token", prefix: "shpat_", body: csHex, min: 32, max: 32},
	{kind: "a Shopify token", prefix: "shpss_", body: csHex, min: 32, max: 32},
	{kind: "a Shopify token", prefix: "shpca_", body: csHex, min: 32, max: 32},
	{kind: "a Shopify token", prefix: "shppa_", body: csHex, min: 32, max: 32},
	{kind: "a Postman API key", prefix: "PMAK-", body: csHexDash, min: 50, max: 70},
	{kind: "a Linear API key", prefix: "lin_api_", body: csAlnum, min: 40, max: 40},
	{kind: "an age secret key", prefix: "AGE-SECRET-KEY-1", body: csBech32, min: 58, max: 58},
	{kind: "a Databricks token", prefix: "dapi", body: csHexDash, min: 32, max: 34},
	{kind: "a Heroku API key", prefix: "HRKU-AA", body: csAlnumUD, min: 58, max: 58},
	{kind: "a DigitalOcean token", prefix: "dop_v1_", body: csHexLower, min: 64, max: 64},
	{kind: "a DigitalOcean token", prefix: "doo_v1_", body: csHexLower, min: 64, max: 64},
	{kind: "a DigitalOcean token", prefix: "dor_v1_", body: csHexLower, min: 64, max: 64},
	{kind: "a Doppler token", prefix: "dp.pt.", body: csAlnum, min: 40},
	{kind: "a Doppler token", prefix: "dp.st.", body: csAlnumUD, min: 40},
	{kind: "a Doppler token", prefix: "dp.sa.", body: csAlnum, min: 40},
	{kind: "a Doppler token", prefix: "dp.ct.", body: csAlnum, min: 40},
	{kind: "a Square token", prefix: "sq0atp-", body: csAlnumUD, min: 22},
	{kind: "a Square token", prefix: "sq0csp-", body: csAlnumUD, min: 40},
	{kind: "a Square token", prefix: "EAAA", body: csAlnumUD, min: 60},
	{kind: "a Telegram bot token", prefix: ":AA", body: csAlnumUD, min: 33, max: 33, back: csDigits, backMin: 5, backMax: 16, inWord: true},
	{kind: "a Datadog API key", prefix: "ddapi_", body: csAlnum, min: 32},
	{kind: "a Grafana token", prefix: "glsa_", body: csAlnumU, min: 40},
	{kind: "a Grafana token", prefix: "glc_", body: csBase64, min: 32},
	{kind: "a Sentry token", prefix: "sntrys_", body: csBase64U, min: 50},
	{kind: "a Sentry token", prefix: "sntryu_", body: csHexLower, min: 64, max: 64},
	{kind: "a Hugging Face token", prefix: "hf_", body: csLetters, min: 34, max: 34},
	{kind: "a New Relic key", prefix: "NRAK-", body: csUpperNum, min: 27, max: 27},
	{kind: "a New Relic key", prefix: "NRII-", body: csAlnumUD, min: 32},
	{kind: "an Artifactory API key", prefix: "AKCp", body: csAlnum, min: 69, max: 69},
	{kind: "an Alibaba Cloud access key id", prefix: "LTAI", body: csAlnum, min: 20, max: 20},
	{kind: "a PlanetScale token", prefix: "pscale_tkn_", body: csAlnumUDED, min: 32},
	{kind: "a PlanetScale token", prefix: "pscale_pw_", body: csAlnumUDED, min: 32},
	{kind: "a PlanetScale token", prefix: "pscale_oauth_", body: csAlnumUDED, min: 32},
	{kind: "a Pulumi token", prefix: "pul-", body: csHexLower, min: 40, max: 40},
	{kind: "a RubyGems token", prefix: "rubygems_", body: csHexLower, min: 48, max: 48},
	{kind: "a Notion token", prefix: "ntn_", body: csAlnum, min: 40},
	{kind: "a Fly.io token", prefix: "fo1_", body: csAlnumUD, min: 43},
	{kind: "a Dynatrace token", prefix: "dt0c01.", body: newCharset("A-Za-z0-9."), min: 80},
	{kind: "a Brevo (Sendinblue) key", prefix: "xkeysib-", body: csHexDash, min: 80},
	{kind: "a Perplexity API key", prefix: "pplx-", body: csAlnum, min: 48, max: 48},
	{kind: "a Prefect token", prefix: "pnu_", body: csAlnum, min: 36, max: 36},
	{kind: "an OpenShift token", prefix: "sha256~", body: csAlnumUD, min: 43, max: 43},
	{kind: "a Clojars token", prefix: "CLOJARS_", body: csAlnum, min: 60, max: 60},
	{kind: "an EasyPost token", prefix: "EZAK", body: csAlnum, min: 54, max: 54},
	{kind: "a Shippo token", prefix: "shippo_live_", body: csHex, min: 40, max: 40},
	{kind: "a Duffel token", prefix: "duffel_live_", body: csAlnumUDE, min: 43},
	{kind: "a Frame.io token", prefix: "fio-u-", body: csAlnumUDE, min: 64},
	{kind: "a ReadMe token", prefix: "rdme_", body: csAlnum, min: 70},
	{kind: "an Infracost token", prefix: "ico-", body: csAlnum, min: 32, max: 32},
}

// ruleIndex maps a byte to the rules whose prefix starts with it; most
// rules need a word boundary before the prefix (atBoundary), the inWord
// ones do not (inWordIndex). pairs[c0] is a bitmap of the bytes that
// follow c0 in some prefix. Together they make the common case, a letter
// inside a word, cost two table lookups.
var (
	ruleIndex   [256][]uint16
	inWordIndex [256][]uint16
	pairs       [256][4]uint64
)

func pairOK(c0, c1 byte) bool { return pairs[c0][c1>>6]&(1<<(c1&63)) != 0 }

// minTokenLen is the length of the shortest text any rule can match; a
// whitespace-separated word shorter than this is not looked at.
var minTokenLen = 1 << 30

func init() {
	for i, r := range tokenRules {
		c0 := r.prefix[0]
		ruleIndex[c0] = append(ruleIndex[c0], uint16(i))
		if r.inWord || r.back != nil {
			if wordByte[c0] {
				// the scanner looks for in-word prefixes only where a run of
				// word bytes ends
				panic("leak: in-word token rule " + r.prefix + " starts with a word byte")
			}
			inWordIndex[c0] = append(inWordIndex[c0], uint16(i))
		}
		if len(r.prefix) == 1 {
			pairs[c0] = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		} else {
			c1 := r.prefix[1]
			pairs[c0][c1>>6] |= 1 << (c1 & 63)
		}
		n := len(r.prefix) + r.min + r.backMin
		if r.re != nil {
			n = len(r.prefix) // the pattern may reach past the word
		}
		minTokenLen = min(minTokenLen, n)
	}
	if minTokenLen < minWordLen {
		// a rule whose match is shorter than the words the scanner looks at
		// would never fire on a line of its own
		for _, r := range tokenRules {
			if r.re == nil && len(r.prefix)+r.min+r.backMin < minWordLen {
				panic("leak: token rule " + r.prefix + " is shorter than minWordLen")
			}
		}
	}
}

// wordByte: bytes that continue an identifier, for the \b-like check
// before a prefix.
var wordByte = csAlnumU

func isWordByte(c byte) bool { return wordByte[c] }

// matchToken tries the rules whose prefix starts at ln[i]. It returns the
// secret's byte span and the rule, or ok == false.
func matchToken(ln []byte, i int, rules []uint16) (start, end int, r *tokenRule, ok bool) {
	for _, ri := range rules {
		r = &tokenRules[ri]
		p := r.prefix
		if len(ln)-i < len(p) || len(p) > 1 && ln[i+1] != p[1] || string(ln[i:i+len(p)]) != p {
			continue
		}
		start = i
		if r.back != nil {
			j := i
			for j > 0 && i-j < r.backMax && r.back[ln[j-1]] {
				j--
			}
			if i-j < r.backMin || (j > 0 && isWordByte(ln[j-1])) {
				continue
			}
			start = j
		} else if !r.inWord && i > 0 && isWordByte(ln[i-1]) {
			continue
		}
		if r.re != nil {
			loc := r.re.FindSubmatchIndex(ln[i:])
			if loc == nil {
				continue
			}
			end = i + loc[1]
			if len(loc) >= 4 && loc[2] >= 0 {
				start, end = i+loc[2], i+loc[3]
			}
		} else {
			j := i + len(p)
			for j < len(ln) && r.body[ln[j]] {
				j++
			}
			n := j - i - len(p)
			if n < r.min || (r.max > 0 && n > r.max) {
				continue
			}
			if j < len(ln) && csAlnum[ln[j]] {
				continue
			}
			end = j
			if r.valueOnly {
				start = i + len(p)
			}
		}
		if r.check != nil && !r.check(ln[start:end]) {
			continue
		}
		return start, end, r, true
	}
	return 0, 0, nil, false
}
