# rotor: build, test, lint, benchmark. Every target works on a fresh machine
# with Go installed; `make help` lists them.

GO        ?= go
BIN       := bin
ROTOR     := $(BIN)/rotor
REGISTER  ?= credential_rotation
# The example register is written so that, on this date, it shows every
# status (ok, due, overdue, exempt). Override: make demo DEMO_TODAY=2027-01-15
# (not before 2026-11-24, the last commit of the demo's history).
DEMO_TODAY ?= 2026-11-27
# make demo writes a git repository whose register's history (2026-05-29 to
# 2026-11-24, scripts/demo-repo) ends at the example register, and runs rotor
# on it: the report has a trend and a week to compare, the audit a period.
DEMO_REPO  ?= $(BIN)/demo-repo
DEMO_REGISTER := $(DEMO_REPO)/$(notdir $(REGISTER))
DEMO_FROM  ?= 2026-06-01
DEMO_AUDIT ?= $(BIN)/demo-audit
DEMO_SITE  ?= $(BIN)/site
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ACTIONLINT  := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
FUZZTIME  ?= 30s

.PHONY: help build test update-golden e2e release-snapshot lint demo bench bench-go bench-validate bench-leak bench-relay fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

build: ## build bin/rotor and bin/rotor-relay
	$(GO) build -o $(BIN)/ ./cmd/...

test: build ## unit and integration tests (race detector), then validate the example register
	$(GO) test -race -count=1 ./...
	$(ROTOR) validate --register $(REGISTER)

update-golden: ## rewrite the golden files of every package that has them (then review the diff)
	$(GO) test -count=1 $$(grep -rl --include='*_test.go' '"github.com/rotor-dev/rotor/internal/golden"' internal | xargs -n1 dirname | sort -u | sed 's|^|./|') -update

E2E_TIMEOUT ?= 5m
e2e: ## the whole loop end to end: real binaries, git over smart HTTP, fake Jira and GitHub, the relay, SMTP
	$(GO) test -tags e2e -count=1 -timeout $(E2E_TIMEOUT) -v ./e2e/

release-snapshot: ## the release's binaries and SHA-256 checksums in dist/, built locally, nothing published
	./scripts/release-snapshot.sh

lint: ## gofmt, go vet, staticcheck, actionlint (the workflows)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./e2e/
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(STATICCHECK) -tags e2e ./e2e/
	$(GO) run $(ACTIONLINT)

demo: build ## rotor's main job on an example repository with six months of history (validate, status, sync --dry-run, report, audit, dashboard); no credentials needed
	@$(GO) run ./scripts/demo-repo -register $(REGISTER) -out $(DEMO_REPO) -today $(DEMO_TODAY)
	@echo
	@echo '$$ rotor validate'
	@$(ROTOR) validate --register $(DEMO_REGISTER)
	@echo
	@echo '$$ rotor status --today $(DEMO_TODAY)'
	@$(ROTOR) status --register $(DEMO_REGISTER) --today $(DEMO_TODAY)
	@echo
	@echo '$$ rotor sync --dry-run --today $(DEMO_TODAY)'
	@$(ROTOR) sync --dry-run --register $(DEMO_REGISTER) --today $(DEMO_TODAY)
	@echo
	@echo '$$ rotor report --weeks 26 --today $(DEMO_TODAY)'
	@$(ROTOR) report --register $(DEMO_REGISTER) --repo $(DEMO_REPO) --weeks 26 --today $(DEMO_TODAY)
	@echo
	@echo '$$ rotor audit --from $(DEMO_FROM) --to $(DEMO_TODAY) --out-dir $(DEMO_AUDIT)'
	@$(ROTOR) audit --register $(DEMO_REGISTER) --repo $(DEMO_REPO) --today $(DEMO_TODAY) --from $(DEMO_FROM) --to $(DEMO_TODAY) --out-dir $(DEMO_AUDIT)
	@sed -n '/^## Summary/,/^## Observations/p' $(DEMO_AUDIT)/audit.md | sed '$$d'
	@echo 'the whole pack: $(DEMO_AUDIT)/audit.html (and audit.md, audit.csv, audit.json)'
	@echo
	@echo '$$ rotor dashboard --weeks 26 --out $(DEMO_SITE) --today $(DEMO_TODAY)'
	@$(ROTOR) dashboard --register $(DEMO_REGISTER) --repo $(DEMO_REPO) --weeks 26 --today $(DEMO_TODAY) --out $(DEMO_SITE)
	@echo 'open $(DEMO_SITE)/index.html in a browser'

bench: bench-go bench-validate bench-leak ## Go benchmarks, rotor against ajv-cli on 10,000 credentials, the leak corpus against gitleaks

bench-go: ## Go benchmarks of the hot paths
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-validate: build ## time the rotor binary against ajv-cli on generated registers
	./scripts/bench-validate.sh

bench-leak: ## recall and precision of the leak guard against gitleaks v8.30.1 on the leak corpus
	./scripts/bench-leak.sh

bench-relay: ## relay throughput and latency against Debian's webhook (127.0.0.1 only)
	./scripts/bench-relay.sh

fuzz: ## run every fuzz target for FUZZTIME each
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

clean: ## remove build output
	rm -rf $(BIN) dist
