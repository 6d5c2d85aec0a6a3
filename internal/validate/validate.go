// Package validate checks the credential register: the JSON Schema, the
// rules a schema cannot express (calendar dates, dates in the future,
// duplicate ids across files, typos in field names, notice windows, email
// addresses) and the leak guard that refuses anything that looks like
// secret material. Every finding is positioned at the YAML node it is
// about.
//
// decode.go reads a file's nodes into credentials (and reports fields it
// does not know), schema.go turns the schema's refusals into findings,
// each semantic rule is a file of its own, rule_<name>.go, registered in
// rule.go with its golden pair in testdata/rules, and leakguard.go and
// valueguard.go are the leak guard. file.go runs them over one file,
// settings.go over rotor.yaml, validate.go over the register.
package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/schema"
)

// Validator validates registers. Its schemas are compiled once, so one
// Validator serves any number of runs, concurrently too.
type Validator struct {
	credential *jsonschema.Schema
	settings   *jsonschema.Schema
	// quick answers "is this file valid?" without allocating; nil when
	// the schema uses a keyword it does not know, and then every file
	// goes through the full validator.
	quick *quickSchema
	// item and quickItem check one entry of the credentials list.
	item      *jsonschema.Schema
	quickItem *quickSchema
}

// New compiles the embedded schemas.
func New() (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(schema.CredentialID, bytes.NewReader(schema.Credential)); err != nil {
		return nil, fmt.Errorf("load credential schema: %w", err)
	}
	if err := c.AddResource(schema.SettingsID, bytes.NewReader(schema.Settings)); err != nil {
		return nil, fmt.Errorf("load settings schema: %w", err)
	}
	cred, err := c.Compile(schema.CredentialID)
	if err != nil {
		return nil, fmt.Errorf("compile credential schema: %w", err)
	}
	settings, err := c.Compile(schema.SettingsID)
	if err != nil {
		return nil, fmt.Errorf("compile settings schema: %w", err)
	}
	item, err := c.Compile(schema.CredentialID + "#/$defs/credential")
	if err != nil {
		return nil, fmt.Errorf("compile credential schema: %w", err)
	}
	v := &Validator{credential: cred, settings: settings, item: item}
	// A nil quick check means the full validator always runs.
	if quick, err := compileQuickSchema(schema.Credential); err == nil {
		v.quick = quick
		if list := quick.properties["credentials"]; list != nil && list.items != nil {
			v.quickItem = list.items
		}
	}
	return v, nil
}

// Options say what to validate and what day it is.
type Options struct {
	// Root is the register folder.
	Root string
	// Now is the current instant; today is its date in the register's
	// time zone. Ignored when Today is set.
	Now time.Time
	// Today overrides the date derived from Now (--today, ROTOR_TODAY).
	Today rotation.Date
	// Workers bounds the files validated at once (default 4×GOMAXPROCS).
	Workers int
}

// Result is a validated register.
type Result struct {
	// Register holds every credential that could be read. Use it only
	// when Findings holds no errors. Text the leak guard flagged reads
	// leak.Redacted in it.
	Register *rotation.Register
	// Findings, sorted by file and position.
	Findings []register.Finding
	// Files are the register files read, sorted, settings excluded.
	Files []string
	// Today is the date the rules were checked against.
	Today rotation.Date
}

// Errors returns the number of error findings.
func (r *Result) Errors() int { return register.CountErrors(r.Findings) }

// Validate loads and checks the whole register under opts.Root. The error is
// set only when the register cannot be read at all (a missing folder, an
// unreadable file); problems in the content are findings.
func (v *Validator) Validate(ctx context.Context, opts Options) (*Result, error) {
	settings, findings, err := v.loadSettings(filepath.Join(opts.Root, register.SettingsFile))
	if err != nil {
		return nil, err
	}
	today := opts.Today
	if today.IsZero() {
		today = rotation.Today(opts.Now, settings.Timezone)
	}
	tree, err := register.Walk(ctx, opts.Root)
	if err != nil {
		return nil, err
	}
	results, err := v.checkFiles(ctx, tree.Files, &settings, today, opts.Workers)
	if err != nil {
		return nil, err
	}
	reg := &rotation.Register{Settings: settings}
	var secrets []string
	for _, fr := range results {
		findings = append(findings, fr.findings...)
		secrets = append(secrets, fr.secrets...)
		for _, e := range fr.entries {
			reg.Credentials = append(reg.Credentials, e.cred)
		}
	}
	// Nothing under the register may hold a secret, credential or not:
	// the template, notes, a stray .env.
	others := tree.Others
	if tree.Template != "" {
		others = append([]string{tree.Template}, others...)
	}
	for _, path := range others {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fs, _, err := v.scanOnly(path)
		if err != nil {
			return nil, err
		}
		findings = append(findings, fs...)
	}
	cross := checkRegister(results)
	redact(cross, secrets)
	findings = append(findings, cross...)
	return &Result{Register: reg, Findings: register.SortFindings(findings), Files: tree.Files, Today: today}, nil
}

// checkFiles validates files on a pool of workers and returns their results
// in the order of files.
func (v *Validator) checkFiles(ctx context.Context, files []string, settings *rotation.Settings, today rotation.Date, workers int) ([]fileResult, error) {
	if workers <= 0 {
		// Reading a small file is mostly a wait in open(2) and read(2);
		// a few workers per core keep the cores busy parsing meanwhile.
		workers = 4 * runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(files), 1))
	results := make([]fileResult, len(files))
	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One checker a worker: the rules take its address, so it lives
			// on the heap, allocated once rather than once a file.
			var c fileChecker
			for i := range next {
				c = fileChecker{v: v, settings: settings, today: today, path: files[i]}
				results[i], errs[i] = c.check()
			}
		}()
	}
feed:
	for i := range files {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, errors.Join(errs...)
}

// ValidateFile checks a single file's content as if it were at path in a
// register with the given settings. Cross-file rules (duplicate ids) are
// not applied. It serves editors of the register (rotor new), the reading
// of the register's history (rotor audit, rotor report) and fuzzing. As
// with Validate, what the leak guard flags is already taken out of the
// credentials' text (see scanLeaks): a file of the past may hold a secret,
// and nothing read from it prints one.
func (v *Validator) ValidateFile(path string, data []byte, settings rotation.Settings, today rotation.Date) ([]*rotation.Credential, []register.Finding) {
	creds, findings, _ := v.ValidateFileSecrets(path, data, settings, today)
	return creds, findings
}

// ValidateFileSecrets is ValidateFile that also returns what the leak
// guard flagged in the file, in each form it was found (as written and as
// parsed), allowances left out. A reader of many versions of a file needs
// them: another version may hold the same secret in words the guard does
// not flag on their own.
func (v *Validator) ValidateFileSecrets(path string, data []byte, settings rotation.Settings, today rotation.Date) ([]*rotation.Credential, []register.Finding, []string) {
	c := fileChecker{v: v, settings: &settings, today: today, path: path}
	fr := c.checkData(data)
	creds := make([]*rotation.Credential, len(fr.entries))
	for i, e := range fr.entries {
		creds[i] = e.cred
	}
	cross := checkRegister([]fileResult{fr})
	redact(cross, fr.secrets)
	return creds, register.SortFindings(append(fr.findings, cross...)), fr.secrets
}

// fileExists reports whether path exists; other stat errors are returned.
func fileExists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("read %q: %w", path, err)
}
