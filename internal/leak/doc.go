// Package leak finds secret material in the raw bytes of a file. rotor's
// register holds metadata about credentials and never the credentials
// themselves; this is the guard that keeps it that way.
//
// Scan reads every byte, line by line: values and keys, YAML comments,
// text after a document end marker, text that does not parse. A line that
// ends in a backslash goes on on the next, as in a YAML double-quoted
// scalar: the run is also read as one line, so a token split there is
// found. It never prints what it finds. A Match carries the secret text
// and where it is only so that the caller can take it out of what it
// prints (see Redaction).
//
// # Detectors
//
// All of them run on every line, most specific first; a later detector's
// finding that overlaps an earlier one on the same line is dropped.
//
//  1. Known token shapes (tokens.go): private key blocks (every line of
//     the block), a GCP key file's "private_key", AWS access key ids, GitHub,
//     GitLab, Slack (tokens and webhooks), Stripe, Google (API keys, OAuth
//     tokens), Atlassian, npm, SendGrid, OpenAI, Anthropic, JSON Web
//     Tokens, Azure (AccountKey=, SharedAccessKey=, SAS sig=, AD client
//     secrets), Twilio, Mailgun, HashiCorp Vault and Terraform, PyPI,
//     Docker Hub, Shopify, Postman, Linear, age, Databricks, Heroku,
//     DigitalOcean, Doppler, Square, Telegram, Discord and Teams webhooks,
//     Grafana, Sentry, Hugging Face, New Relic and more. Each rule is a
//     literal prefix and a body of one character class and bounded length
//     (or a small pattern), found through a table on the prefix's first
//     two bytes, so a rule costs nothing where its prefix is absent.
//  2. Values after a keyword (keyword.go): password, passwd, passphrase,
//     passcode, pwd, secret, token, api key (api_key, apikey, api-key) and
//     pin, in any case, as a word or a part of a key (db_password,
//     DB_PASSWORD, ldapBindPassword), followed by ':', '=', "is" or a
//     space and a value: `db password: Winter2024!Pa55`, `pwd=Tr0ub4dor&3`,
//     `the root password is hunter2hunter2`. Password=...; in a connection
//     string is reported as such.
//  3. Credentials in URLs of any scheme (url.go): user:password@host, and
//     parameters named password, pwd, sig, token, access_token, secret,
//     api_key, key and the like, of the query or fragment or after a ';'
//     (jdbc:sqlserver://db:1433;user=sa;password=...). People paste
//     passwords with reserved characters unencoded, so the password runs
//     to the last '@' that a host follows (postgres://app:Xy7#kL/m@db,
//     p@ss/w0rd). Oracle's user/password@//host form too.
//  4. High entropy (entropy.go): a word whose random-looking parts are at
//     least 16 bytes long, mix at least two of lower case, upper case,
//     digits and punctuation, and have at least 3.5 bits of Shannon
//     entropy per byte, in any character class: xK9#mP2$vL8@nQ4!zR7&wT5^, a
//     base64 key with + / =, a random 40-character token in a comment.
//
// # False-positive guards
//
// A register is full of text that looks like secrets and is not. Each
// guard below exists because of a kind of line the register really holds;
// the negatives in testdata/negatives.tsv hold one of each, and the tests
// fail if any of them is flagged.
//
//   - A value after a keyword is a secret only when it looks like one
//     (looksSecret). Names and prose are not: letters alone, or parts
//     joined by - _ . / : of letters, digits, or digits then letters
//     (`name: Payments DB admin password`, `secret: payments-db-2`,
//     `token: see 1Password item`). Neither are placeholders (<set in
//     vault>, ${VAR}, $VAR, {{ .Values.x }}, %VAR%, [redacted], ****,
//     xxxx, an elided ghp_…a9Qz, one character repeated, and words such as
//     changeme: the published default of countless products, which a
//     template names without leaking anything), URLs (their credentials are
//     detector 3's), ARNs, emails, dates and times (`pin: 2026-01-01`). A
//     key that goes on with a metadata word (password_rotation_days,
//     secret_name, token_url, secretKeyRef, api_key_id) introduces
//     metadata, not a secret, except secret_id, which is Vault's AppRole
//     secret. After a plain space, the weakest separator, digits alone (a
//     count: "card PIN 2") and names with a generated suffix (kubectl get
//     secret payments-db-k7b2t9hf4m) are not secrets either.
//   - A value ends where YAML ends it: in a flow collection, a '}' or ']'
//     that closes one opened before the key is no part of the value
//     (source: {azure_key_vault: {vault: ..., secret: db-admin}}), and a
//     keyword that is a quoted word of its own (mount: "secret ", path: x)
//     has no value after it. A '}' that closes nothing stays part of
//     the value (password: Xy7#kLm}Qz}).
//   - Digits alone are a secret after pin (4 to 12 of them) or a password
//     keyword (6 or more), never after the others, where they are counts
//     and ids. A UUID after any keyword is a secret: Heroku API keys and
//     Vault secret ids are UUIDs.
//   - In URLs only userinfo and parameters with a secret's name count:
//     path segments and other parameters are ids (a Google Docs id, a
//     Grafana dashboard uid, a commit SHA in a GitHub blob URL, Confluence's
//     Rotate+the+Payments+DB+Password). The generic name key= must also
//     hold a value that looks secret (key=SEC-12 is a Jira key). A user
//     without a password (ssh://git@github.com:22/x, deploy@registry) has
//     none, and host:port before a path with an '@' in it
//     (wiki:8443/~alice@example.com) is no userinfo. Password= after a
//     clause of prose and ';' (migrated; password=rotated) is no
//     connection string.
//   - The entropy detector splits a word at the delimiters of identifiers,
//     paths, emails and URLs and ignores ordinary parts: short ones (an
//     ARN's six-character suffix, db-AbCdEf), digits, hex, and letters and
//     digits in at most three runs whose letters read as words (camelCase,
//     sha256WithRSAEncryption). So UUIDs, Jira account ids
//     (5b10ac8d82e05b22cc7d4ef5, 712020:2f3c1a6e-...), commit SHAs, version
//     strings, emails, Vault paths, Kubernetes names with a generated
//     suffix and camelCase identifiers pass. Pure hex is never an entropy
//     finding: commit SHAs and digests are hex; a hex secret is found after
//     its keyword instead. Words with a URL are left to detector 3.
//   - Public material is not secret: sha256:<64 hex> image digests and
//     SHA256:... fingerprints, ssh-rsa/ssh-ed25519/ecdsa public keys, and
//     -----BEGIN PUBLIC KEY----- or CERTIFICATE blocks.
//
// # Redaction
//
// Whoever prints text that Scan read takes the secrets out by span: where
// a match was found (Scrub does that for a text printed as it is, such as
// a commit's subject), and where the same text is read back another way
// (a YAML value, unquoted from its raw line) the part of it that the match
// covers. Redact and Redactor then remove, wherever they occur, the secrets
// long enough to be told from ordinary text (MinSearchLen, 8 bytes): a
// copy of a secret elsewhere in the same file, a value echoed with %q. A
// shorter secret (p, a PIN, hunter2) is never searched for: replaced
// wherever it occurs it would mangle every message ("descri[redacted]tion").
//
// # Allowances
//
// A reviewed false positive is allowed with a comment on its line:
//
//	example: AKIAIOSFODNN7EXAMPLE # rotor:allow-leak AWS's documented example key
//
// The marker must follow '#' (and optional blanks) and be followed by a
// blank or the end of the line. Every match on that line is reported with
// Allowed set, and the Allowance with Used set. The allowance's text is
// cut off the line before the detectors run, so its reason is never taken
// for a secret. An Allowance with an empty Reason is malformed: callers
// must report it as an error, and should warn about an Allowance that is
// not Used, which no longer allows anything.
//
// # Cost
//
// A first pass looks at every byte once through a class table (a
// lower-case letter costs one lookup) and notes long words, keyword
// candidates (a keyword can only start after a non-letter or at a
// camelCase hump, and its first three letters must fit), "://", '#' and
// "-----". The detectors run only on what it noted, and a clean line
// allocates nothing: a scan allocates its scanner once. BenchmarkScan, a
// generated 10,000-credential register of 4.6 MB with the metadata most
// like secrets (URLs, ARNs, Vault paths, emails, Jira account ids, image
// digests, comments), runs at about 210 MB/s on one core (about 22 ms;
// 14 ms for the 3 MB of a real 10,000-credential register).
package leak
