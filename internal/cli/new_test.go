package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/rotor-dev/rotor/internal/register"
)

// envHelper makes the test binary act as the rotor command: see
// TestHelperRotor.
const envHelper = "ROTOR_TEST_HELPER"

// TestHelperRotor is not a test: started by rotorProcess with envHelper
// set, it runs rotor with the arguments after "--" and exits with its status,
// so tests can run real rotor processes without building the binary.
func TestHelperRotor(t *testing.T) {
	if os.Getenv(envHelper) != "1" {
		t.Skip("runs only as a rotor process started by a test")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, args, OSEnv())
	stop()
	os.Exit(code)
}

// rotorProcess returns a command that runs rotor in a process of its own.
func rotorProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperRotor$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), envHelper+"=1")
	return cmd
}

// processResult is how one rotor process ended.
type processResult struct {
	code   int
	stderr string
}

// runProcesses starts every command at once and waits for them all. With
// gate set, the test holds the register lock at gate until every process
// says it is waiting for it: each has then read the register before any of
// them writes, the worst case the lock must handle.
func runProcesses(t *testing.T, gate string, cmds []*exec.Cmd) []processResult {
	t.Helper()
	var lock *register.Lock
	if gate != "" {
		var err error
		if lock, err = register.LockRegister(context.Background(), gate, time.Second, nil); err != nil {
			t.Fatal(err)
		}
		defer lock.Unlock()
	}
	results := make([]processResult, len(cmds))
	stderrs := make([]syncBuffer, len(cmds))
	var wg sync.WaitGroup
	for i, cmd := range cmds {
		cmd.Stderr = &stderrs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := cmd.Wait()
			var ee *exec.ExitError
			switch {
			case err == nil:
			case errors.As(err, &ee):
				results[i].code = ee.ExitCode()
			default:
				results[i].code = -1
				stderrs[i].Write([]byte(err.Error()))
			}
		}()
	}
	if lock != nil {
		for i := range stderrs {
			waitFor(t, &stderrs[i], "waiting for the register lock held by another rotor new")
		}
		if err := lock.Unlock(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for i := range results {
		results[i].stderr = stderrs[i].String()
	}
	return results
}

// waitFor waits until buf holds text.
func waitFor(t *testing.T, buf *syncBuffer, text string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(buf.String(), text); {
		if time.Now().After(deadline) {
			t.Fatalf("rotor never said %q: %s", text, buf.String())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestNewConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts rotor processes")
	}
	t.Run("twenty appends to one file all land", func(t *testing.T) {
		root := copyRegister(t)
		const n = 20
		cmds := make([]*exec.Cmd, n)
		for i := range cmds {
			cmds[i] = rotorProcess(t, "new", "--register", root, "--team", "payments", "--today", "2026-11-27",
				"--id", fmt.Sprintf("parallel-key-%02d", i), "--name", fmt.Sprintf("Parallel key %d", i),
				"--owner", "ops@example.com", "--period", "90", "--last-changed", "2026-09-01")
		}
		for i, r := range runProcesses(t, root, cmds) {
			if r.code != ExitOK {
				t.Errorf("process %d: exit %d: %s", i, r.code, r.stderr)
			}
		}
		data, err := os.ReadFile(filepath.Join(root, "payments.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if id := fmt.Sprintf("- id: parallel-key-%02d\n", i); strings.Count(string(data), id) != 1 {
				t.Errorf("payments.yaml holds %q %d times, want once", id, strings.Count(string(data), id))
			}
		}
		if v := runRotor(t, nil, "", "validate", "--register", root); v.code != ExitOK {
			t.Errorf("register invalid after the parallel runs: %s%s", v.stdout, v.stderr)
		}
		assertNoLeftovers(t, root)
	})
	t.Run("the same id into two files: one wins", func(t *testing.T) {
		root := copyRegister(t)
		var cmds []*exec.Cmd
		for _, team := range []string{"payments", "platform"} {
			cmds = append(cmds, rotorProcess(t, "new", "--register", root, "--team", team, "--today", "2026-11-27",
				"--id", "contested-key", "--name", "Contested key", "--owner", "ops@example.com", "--period", "90", "--last-changed", "2026-09-01"))
		}
		results := runProcesses(t, root, cmds)
		ok, lost := 0, 0
		for _, r := range results {
			switch {
			case r.code == ExitOK:
				ok++
			case r.code == ExitFailed && strings.Contains(r.stderr, `id "contested-key" is already used at`) &&
				strings.Contains(r.stderr, "choose another id"):
				lost++
			default:
				t.Errorf("exit %d: %s", r.code, r.stderr)
			}
		}
		if ok != 1 || lost != 1 {
			t.Errorf("%d succeeded and %d were refused, want 1 and 1: %+v", ok, lost, results)
		}
		v := runRotor(t, nil, "", "validate", "--register", root)
		if v.code != ExitOK || strings.Contains(v.stdout, "duplicate-id") {
			t.Errorf("register invalid after the race: %s%s", v.stdout, v.stderr)
		}
		assertNoLeftovers(t, root)
	})
}

func TestNewInterruptedProcess(t *testing.T) {
	if testing.Short() || runtime.GOOS == "windows" {
		t.Skip("sends SIGINT to a rotor process")
	}
	root := copyRegister(t)
	lock, err := register.LockRegister(context.Background(), root, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	before := snapshot(t, root)
	cmd := rotorProcess(t, "new", "--register", root, "--team", "payments", "--id", "vault-unseal-key",
		"--name", "Vault unseal key", "--owner", "ops@example.com", "--period", "90", "--last-changed", "2026-09-01")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &stderr, "waiting for the register lock held by another rotor new")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != ExitFailed || !strings.Contains(stderr.String(), "interrupted while waiting for the register lock; nothing was written") {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	assertUnchanged(t, root, before)
}

// assertNoLeftovers fails when rotor new left a lock or temporary file in
// the register folder.
func assertNoLeftovers(t *testing.T, root string) {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind in the register folder: %s", e.Name())
		}
	}
}

func TestNew(t *testing.T) {
	flags := []string{"--id", "vault-unseal-key", "--name", "Vault unseal key", "--owner", "ops@example.com", "--period", "180", "--last-changed", "2026-09-01"}
	t.Run("appends to the team file and keeps the rest", func(t *testing.T) {
		root := copyRegister(t)
		file := filepath.Join(root, "payments.yaml")
		before, _ := os.ReadFile(file)
		r := runRotor(t, nil, "", append([]string{"new", "--register", root, "--team", "payments"}, flags...)...)
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		after, _ := os.ReadFile(file)
		if !bytes.HasPrefix(after, before) {
			t.Fatalf("the existing content changed:\n%s", after)
		}
		checkGolden(t, "new-appended.golden", string(after[len(before):]))
		if v := runRotor(t, nil, "", "validate", "--register", root); v.code != ExitOK {
			t.Fatalf("register invalid after new: %s%s", v.stdout, v.stderr)
		}
		assertNoLeftovers(t, root)
	})
	t.Run("creates a new file", func(t *testing.T) {
		root := copyRegister(t)
		// An absolute --file with a relative --register: both are resolved.
		wd, _ := os.Getwd()
		rel, err := filepath.Rel(wd, root)
		if err != nil {
			t.Fatal(err)
		}
		r := runRotor(t, nil, "", append([]string{"new", "--register", rel, "--file", filepath.Join(root, "infra", "vault.yaml"), "--today", "2026-11-20"}, flags...)...)
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		got, _ := os.ReadFile(filepath.Join(root, "infra", "vault.yaml"))
		checkGolden(t, "new-file.golden", string(got))
		assertNoLeftovers(t, root)
	})
	t.Run("a team with a .yml file gets its entry there", func(t *testing.T) {
		root := copyRegister(t)
		if err := os.Rename(filepath.Join(root, "platform.yaml"), filepath.Join(root, "platform.yml")); err != nil {
			t.Fatal(err)
		}
		r := runRotor(t, nil, "", append([]string{"new", "--register", root, "--team", "platform"}, flags...)...)
		if r.code != ExitOK || !strings.Contains(r.stderr, "platform.yml;") {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(root, "platform.yaml")); !os.IsNotExist(err) {
			t.Errorf("created platform.yaml beside platform.yml: %v", err)
		}
	})
	t.Run("refuses a duplicate id and writes nothing", func(t *testing.T) {
		root := copyRegister(t)
		before := snapshot(t, root)
		r := runRotor(t, nil, "", "new", "--register", root, "--team", "payments", "--id", "stripe-api-key", "--name", "x", "--owner", "a@example.com", "--period", "9", "--last-changed", "2026-09-01")
		if r.code != ExitFailed || !strings.Contains(r.stderr, `id "stripe-api-key" is already used at`) {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		assertUnchanged(t, root, before)
	})
	t.Run("refuses an entry the file rules reject and writes nothing", func(t *testing.T) {
		// Each value is fine alone; together they break notice < period.
		root := copyRegister(t)
		before := snapshot(t, root)
		r := runRotor(t, nil, "", "new", "--register", root, "--team", "payments", "--id", "x-key", "--name", "x", "--owner", "a@example.com", "--period", "9", "--notice", "9", "--last-changed", "2026-09-01")
		if r.code != ExitFailed || !strings.Contains(r.stderr, "[notice-period]") || !strings.Contains(r.stderr, "nothing was written") {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		assertUnchanged(t, root, before)
	})
	t.Run("dry run writes nothing, not even a lock file", func(t *testing.T) {
		root := copyRegister(t)
		before := snapshot(t, root)
		r := runRotor(t, nil, "", append([]string{"new", "--register", root, "--dry-run"}, flags...)...)
		if r.code != ExitOK || !strings.Contains(r.stdout, "- id: vault-unseal-key") {
			t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
		}
		assertUnchanged(t, root, before)
	})
	t.Run("refuses a file outside the register", func(t *testing.T) {
		root := copyRegister(t)
		for _, file := range []string{filepath.Join(root, "..", "elsewhere.yaml"), filepath.Join(root, "template.yaml")} {
			r := runRotor(t, nil, "", append([]string{"new", "--register", root, "--file", file}, flags...)...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, "choose a file inside the register folder") {
				t.Fatalf("%s: exit %d: %s", file, r.code, r.stderr)
			}
		}
	})
	t.Run("missing values without a terminal", func(t *testing.T) {
		r := runRotor(t, nil, "", "new", "--register", copyRegister(t), "--id", "x")
		if r.code != ExitUsage || !strings.Contains(r.stderr, "missing --name, --owner, --period, --last-changed") {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	})
	t.Run("last changed is never today by default", func(t *testing.T) {
		// Only --last-changed missing: no silent today.
		root := copyRegister(t)
		before := snapshot(t, root)
		r := runRotor(t, nil, "", "new", "--register", root, "--id", "vault-unseal-key", "--name", "Vault unseal key",
			"--owner", "ops@example.com", "--period", "90")
		if r.code != ExitUsage || !strings.Contains(r.stderr, "missing --last-changed: give them as flags") {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		assertUnchanged(t, root, before)
	})
	t.Run("last changed in the future", func(t *testing.T) {
		root := copyRegister(t)
		before := snapshot(t, root)
		r := runRotor(t, nil, "", append([]string{"new", "--register", root, "--today", "2026-08-31"}, flags...)...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "--last-changed: last_changed 2026-09-01 is in the future (today is 2026-08-31, UTC) [future-date]") {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		assertUnchanged(t, root, before)
	})
	t.Run("last changed in the future is refused before any question", func(t *testing.T) {
		root := copyRegister(t)
		r := runTerminal(t, "vault-unseal-key\n", "new", "--register", root, "--last-changed", "2026-11-28")
		if r.code != ExitUsage || !strings.Contains(r.stderr, "--last-changed: last_changed 2026-11-28 is in the future") || strings.Contains(r.stderr, "id (") {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	})
	t.Run("criticality is written", func(t *testing.T) {
		root := copyRegister(t)
		r := runRotor(t, nil, "", append([]string{"new", "--register", root, "--team", "payments", "--criticality", "high", "--dry-run"}, flags...)...)
		if r.code != ExitOK || !strings.Contains(r.stdout, "    last_changed: 2026-09-01\n    criticality: high\n") {
			t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
		}
	})
}

// TestNewTeamFile: a team name that is not a file name as it is goes to
// its lower-case kebab form, and the message says so; the entry keeps the
// team as given.
func TestNewTeamFile(t *testing.T) {
	flags := []string{"--id", "vault-unseal-key", "--name", "Vault unseal key", "--owner", "ops@example.com", "--period", "180", "--last-changed", "2026-09-01"}
	tests := []struct {
		team, file string
	}{
		{"Payments Team", "payments-team.yaml"},
		{"Payments", "payments.yaml"}, // the file that is already there
		{"SRE & Platform", "sre-platform.yaml"},
		{"data_eng", "data_eng.yaml"}, // already a safe name
		{"ops-2", "ops-2.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.team, func(t *testing.T) {
			root := copyRegister(t)
			r := runRotor(t, nil, "", append([]string{"new", "--register", root, "--team", tc.team}, flags...)...)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			file := filepath.Join(root, tc.file)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "    team: "+tc.team+"\n") && !strings.Contains(string(data), fmt.Sprintf("    team: %q\n", tc.team)) {
				t.Errorf("the entry does not keep the team as given:\n%s", data)
			}
			mapped := fmt.Sprintf("team %q goes to %s", tc.team, file)
			if safe := tc.team+".yaml" == tc.file; safe == strings.Contains(r.stderr, mapped) {
				t.Errorf("stderr says %q: %v, want %v:\n%s", mapped, !safe, !safe, r.stderr)
			}
			if v := runRotor(t, nil, "", "validate", "--register", root); v.code != ExitOK {
				t.Fatalf("register invalid after new: %s%s", v.stdout, v.stderr)
			}
		})
	}
	refused := []struct {
		team string
		want string
	}{
		{"Zürich", "cannot be mapped"},
		{"!!!", "cannot be mapped"},
		{"Rotor", "would name the file rotor.yaml, which is not a register file"},
		{"Template", "would name the file template.yaml"},
	}
	for _, tc := range refused {
		t.Run("refused "+tc.team, func(t *testing.T) {
			root := copyRegister(t)
			before := snapshot(t, root)
			r := runRotor(t, nil, "", append([]string{"new", "--register", root, "--team", tc.team}, flags...)...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "pass --file") {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			assertUnchanged(t, root, before)
		})
	}
	t.Run("with --file any valid team", func(t *testing.T) {
		root := copyRegister(t)
		r := runRotor(t, nil, "", append([]string{"new", "--register", root, "--team", "Zürich", "--file", filepath.Join(root, "zurich.yaml")}, flags...)...)
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	})
}

// TestNewRefusesBadValues: every value is checked before anything is
// read, locked or written, with the rule's hint; a file or team the
// register would ignore is refused.
func TestNewRefusesBadValues(t *testing.T) {
	secret := "ghp_" + strings.Repeat("a1B2", 9)
	tests := []struct {
		name string
		args []string // after the valid defaults; a later flag wins
		want []string // parts of stderr
	}{
		{name: "owner not an email", args: []string{"--owner", "not-an-email"},
			want: []string{`--owner: owner "not-an-email" is not an email address [owner-email]`, "hint: the contact person's email address"}},
		{name: "owner with a display name", args: []string{"--owner", "Bob <bob@example.com>"}, want: []string{"[owner-email]"}},
		{name: "id with capitals", args: []string{"--id", "Vault_Key"}, want: []string{`--id: "Vault_Key" does not have the expected form [schema]`, "hint: use lower-case letters"}},
		{name: "reserved id", args: []string{"--id", "overdue"}, want: []string{`id "overdue" is reserved`, "choose another id"}},
		{name: "period zero", args: []string{"--period", "0"}, want: []string{"--period: period_days", "from 1 to 3650"}},
		{name: "period too long", args: []string{"--period", "4000"}, want: []string{"--period: period_days", "from 1 to 3650"}},
		{name: "negative period", args: []string{"--period", "-5"}, want: []string{"plain decimal"}},
		{name: "notice too long", args: []string{"--notice", "400"}, want: []string{"--notice: notice_days"}},
		{name: "name of two lines", args: []string{"--name", "Vault\nkey"}, want: []string{"--name: name: the value has the character U+000A", "single-line text cannot hold line breaks"}},
		{name: "secret in the name", args: []string{"--name", "key " + secret}, want: []string{"--name: the value of name looks like a GitHub token [leak]"}},
		{name: "unknown criticality", args: []string{"--criticality", "urgent"}, want: []string{"--criticality:", "one of low, medium, high, critical"}},
		{name: "runbook not a URL", args: []string{"--runbook", "wiki/page"}, want: []string{"--runbook:", "http(s) URL"}},
		{name: "last change not a date", args: []string{"--last-changed", "2026-02-30"}, want: []string{"--last-changed:", "February 2026 has 28 days"}},
		{name: "last change before 1970", args: []string{"--last-changed", "1969-12-31"}, want: []string{"--last-changed:", "before 1970-01-01"}},
		{name: "last change not in YYYY-MM-DD", args: []string{"--last-changed", "1.9.2026"}, want: []string{"--last-changed:", "not a date in YYYY-MM-DD form"}},
		{name: "hidden file", args: []string{"--file", "{root}/.drafts.yaml"},
			want: []string{`".drafts.yaml" starts with '.'`, "rotor skips hidden files and folders", "choose a file and folders whose names do not start with '.'"}},
		{name: "file in a hidden folder", args: []string{"--file", "{root}/.git/x.yaml"}, want: []string{`".git" starts with '.'`}},
		{name: "file in a hidden subfolder", args: []string{"--file", "{root}/infra/.old/x.yaml"}, want: []string{`".old" starts with '.'`}},
		{name: "hidden team", args: []string{"--team", ".ops"},
			want: []string{`--team: team ".ops" would name the file .ops.yaml, and rotor skips hidden files`, "hint: choose a team name that does not start with '.', or pass --file"}},
		{name: "hidden team with a file", args: []string{"--team", ".ops", "--file", "{root}/ops.yaml"}, want: []string{`team ".ops" would name the file .ops.yaml`}},
		{name: "team dot dot", args: []string{"--team", ".."}, want: []string{`team ".." would name the file ...yaml`}},
		{name: "team with a slash", args: []string{"--team", "ops/../../x"}, want: []string{"not allowed in a file name", `without / \ :`}},
		{name: "team with a backslash", args: []string{"--team", `ops\x`}, want: []string{"not allowed in a file name"}},
		{name: "team with a control character", args: []string{"--team", "ops\x01"}, want: []string{"--team: team: the value has the character U+0001"}},
		{name: "team naming the settings", args: []string{"--team", "rotor"}, want: []string{"would name the file rotor.yaml, which is not a register file"}},
		{name: "two bad values", args: []string{"--owner", "x", "--period", "0"},
			want: []string{"rotor: --owner:", "rotor: --period:", "nothing was written: fix the values above"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := copyRegister(t)
			before := snapshot(t, root)
			args := []string{"new", "--register", root, "--id", "vault-unseal-key", "--name", "Vault unseal key", "--owner", "ops@example.com", "--period", "90", "--last-changed", "2026-09-01"}
			for _, a := range tc.args {
				args = append(args, strings.ReplaceAll(a, "{root}", root))
			}
			r := runRotor(t, nil, "", args...)
			if r.code != ExitUsage {
				t.Errorf("exit %d, want %d", r.code, ExitUsage)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if strings.Contains(r.stderr, secret) {
				t.Errorf("the error repeats the secret:\n%s", r.stderr)
			}
			assertUnchanged(t, root, before)
		})
	}
	t.Run("message", func(t *testing.T) {
		r := runRotor(t, nil, "", "new", "--register", copyRegister(t), "--id", "Vault", "--name", "Vault key", "--owner", "ops", "--period", "0", "--team", ".ops")
		checkGolden(t, "new-bad-values.golden", r.stderr)
	})
}

// runTerminal runs rotor in-process as if at a terminal, answering the
// prompts from stdin.
func runTerminal(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout bytes.Buffer
	var stderr syncBuffer // written by rotor and by the echo
	e := Env{
		// A terminal shows what is typed: echo each byte as it is read.
		Stdin:       io.TeeReader(iotest.OneByteReader(strings.NewReader(stdin)), &stderr),
		Stdout:      &stdout,
		Stderr:      &stderr,
		Getenv:      func(string) string { return "" },
		Now:         func() time.Time { return time.Date(2026, time.November, 27, 9, 0, 0, 0, time.UTC) },
		Interactive: true,
	}
	code := Main(context.Background(), args, e)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func TestNewPrompts(t *testing.T) {
	t.Run("asks again until each answer is valid, then confirms", func(t *testing.T) {
		root := copyRegister(t)
		answers := []string{
			"Vault Key", "stripe-api-key", "vault-unseal-key", // id: malformed, in use, fine
			"Vault unseal key",                                // name
			"ops", "Ops <ops@example.com>", "ops@example.com", // owner
			".platform", "platform", // team
			"0", "1e3", "", // period_days: out of range, not decimal, default
			"", "2026-02-30", "1.9.2026", "1969-12-31", "2026-11-28", "2026-09-01", // last_changed: none, not a date (twice), too early, future, fine
			"urgent", "high", // criticality
			"maybe", "", // write it?
		}
		r := runTerminal(t, strings.Join(answers, "\n")+"\n", "new", "--register", root)
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		got, _ := os.ReadFile(filepath.Join(root, "platform.yaml"))
		if !strings.Contains(string(got), "  - id: vault-unseal-key\n    name: Vault unseal key\n    owner: ops@example.com\n    team: platform\n    period_days: 90\n    last_changed: 2026-09-01\n    criticality: high\n") {
			t.Fatalf("platform.yaml:\n%s", got)
		}
		checkGolden(t, "new-prompts.golden", strings.ReplaceAll(r.stderr, root, "credential_rotation"))
		assertNoLeftovers(t, root)
	})
	t.Run("a new team gets a new file", func(t *testing.T) {
		root := copyRegister(t)
		r := runTerminal(t, "vault-unseal-key\nVault unseal key\nops@example.com\nsecurity\n180\n2026-09-01\n\ny\n", "new", "--register", root)
		if r.code != ExitOK || !strings.Contains(r.stderr, "goes to "+filepath.Join(root, "security.yaml")+", a new file") ||
			!strings.Contains(r.stderr, "new file "+filepath.Join(root, "security.yaml")) {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(root, "security.yaml")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("asks only for what the flags leave out", func(t *testing.T) {
		root := copyRegister(t)
		r := runTerminal(t, "ops@example.com\n\n\n2026-09-01\n\ny\n", "new", "--register", root, "--id", "vault-unseal-key", "--name", "Vault unseal key")
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if !strings.HasPrefix(r.stderr, "owner (email): ops@example.com\nteam (") {
			t.Errorf("asked for the wrong values:\n%s", r.stderr)
		}
		if _, err := os.Stat(filepath.Join(root, "credentials.yaml")); err != nil {
			t.Errorf("no team: the entry belongs in credentials.yaml: %v", err)
		}
	})
	t.Run("a dry run asks but neither confirms nor writes", func(t *testing.T) {
		root := copyRegister(t)
		before := snapshot(t, root)
		r := runTerminal(t, "vault-unseal-key\nVault unseal key\nops@example.com\n\n\n2026-09-01\n\n", "new", "--register", root, "--dry-run")
		if r.code != ExitOK || !strings.Contains(r.stdout, "- id: vault-unseal-key") || strings.Contains(r.stderr, "write it?") {
			t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
		}
		assertUnchanged(t, root, before)
	})
	t.Run("an empty answer to a required question says why it asks again", func(t *testing.T) {
		root := copyRegister(t)
		r := runTerminal(t, "\nvault-unseal-key\n\nVault unseal key\n\nops@example.com\n\n\n\n2026-09-01\n\ny\n", "new", "--register", root)
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		for _, want := range []string{
			"id is required: ", "name is required: ", "owner is required: ",
			"last_changed is required: the date the secret was last rotated; rotor counts the next due date from it",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
		}
	})
	t.Run("the future is counted from --today", func(t *testing.T) {
		root := copyRegister(t)
		r := runTerminal(t, "2026-11-21\n2026-11-20\n\n", "new", "--register", root, "--today", "2026-11-20", "--dry-run",
			"--id", "vault-unseal-key", "--name", "Vault unseal key", "--owner", "ops@example.com", "--period", "90", "--team", "platform")
		if r.code != ExitOK || !strings.Contains(r.stderr, "last_changed 2026-11-21 is in the future (today is 2026-11-20, UTC) [future-date]") ||
			!strings.Contains(r.stdout, "last_changed: 2026-11-20\n") {
			t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("a given --last-changed is not asked for", func(t *testing.T) {
		root := copyRegister(t)
		r := runTerminal(t, "ops@example.com\n\n\nlow\ny\n", "new", "--register", root, "--id", "vault-unseal-key", "--name", "Vault unseal key", "--last-changed", "2026-09-01")
		if r.code != ExitOK || strings.Contains(r.stderr, "last rotated") {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		data, _ := os.ReadFile(filepath.Join(root, "credentials.yaml"))
		if !strings.Contains(string(data), "    last_changed: 2026-09-01\n    criticality: low\n") {
			t.Errorf("credentials.yaml:\n%s", data)
		}
	})
	t.Run("a team that is not a file name goes to its kebab file", func(t *testing.T) {
		root := copyRegister(t)
		r := runTerminal(t, "Payments Team\n\n2026-09-01\n\ny\n", "new", "--register", root, "--id", "vault-unseal-key", "--name", "Vault unseal key", "--owner", "ops@example.com")
		file := filepath.Join(root, "payments-team.yaml")
		if r.code != ExitOK || !strings.Contains(r.stderr, fmt.Sprintf("team %q goes to %s, a new file", "Payments Team", file)) {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		data, _ := os.ReadFile(file)
		if !strings.Contains(string(data), "    team: Payments Team\n") {
			t.Errorf("%s:\n%s", file, data)
		}
	})
	t.Run("a bad flag is refused before any question", func(t *testing.T) {
		root := copyRegister(t)
		r := runTerminal(t, "vault-unseal-key\n", "new", "--register", root, "--owner", "nobody")
		if r.code != ExitUsage || !strings.Contains(r.stderr, "--owner: owner \"nobody\" is not an email address") || strings.Contains(r.stderr, "id (") {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	})
}

// TestNewPromptEnds: the end of the input at any question, or a no,
// leaves the register as it was.
func TestNewPromptEnds(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		code  int
		want  string
	}{
		{name: "no input", stdin: "", code: ExitUsage, want: "no answer for id; nothing was written"},
		{name: "end after a bad id", stdin: "Bad Id\n", code: ExitUsage, want: "no answer for id"},
		{name: "end at the owner", stdin: "vault-unseal-key\nVault unseal key\n", code: ExitUsage, want: "no answer for owner"},
		{name: "end at a question with a default", stdin: "vault-unseal-key\nVault unseal key\nops@example.com\n", code: ExitUsage, want: "no answer for team"},
		{name: "end at the period", stdin: "vault-unseal-key\nVault unseal key\nops@example.com\n\n", code: ExitUsage, want: "no answer for period_days"},
		{name: "end at the last change", stdin: "vault-unseal-key\nVault unseal key\nops@example.com\n\n90\n", code: ExitUsage, want: "no answer for last_changed"},
		{name: "end at the last change after an empty answer", stdin: "vault-unseal-key\nVault unseal key\nops@example.com\n\n90\n\n", code: ExitUsage, want: "no answer for last_changed"},
		{name: "end at the criticality", stdin: "vault-unseal-key\nVault unseal key\nops@example.com\n\n90\n2026-09-01\n", code: ExitUsage, want: "no answer for criticality"},
		{name: "end at the confirmation", stdin: "vault-unseal-key\nVault unseal key\nops@example.com\n\n90\n2026-09-01\n\n", code: ExitUsage, want: "no answer for write it?"},
		{name: "no", stdin: "vault-unseal-key\nVault unseal key\nops@example.com\n\n90\n2026-09-01\n\nn\n", code: ExitFailed, want: "nothing was written: you answered no"},
		{name: "last answer without a newline", stdin: "vault-unseal-key\nVault unseal key\nops@example.com\n\n90\n2026-09-01\n\nno", code: ExitFailed, want: "you answered no"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := copyRegister(t)
			before := snapshot(t, root)
			r := runTerminal(t, tc.stdin, "new", "--register", root)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d (want %d), stderr lacks %q:\n%s", r.code, tc.code, tc.want, r.stderr)
			}
			assertUnchanged(t, root, before)
		})
	}
}

func TestNewPromptInterrupted(t *testing.T) {
	root := copyRegister(t)
	before := snapshot(t, root)
	stdin, typing := io.Pipe() // a terminal where nobody types
	defer typing.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"new", "--register", root}, Env{
			Stdin: stdin, Stdout: io.Discard, Stderr: &stderr,
			Getenv:      func(string) string { return "" },
			Now:         func() time.Time { return time.Date(2026, time.November, 27, 9, 0, 0, 0, time.UTC) },
			Interactive: true,
		})
	}()
	waitFor(t, &stderr, "id (")
	cancel()
	select {
	case code := <-done:
		if code != ExitFailed || !strings.Contains(stderr.String(), "interrupted at the id question; nothing was written") {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled context did not end the question")
	}
	assertUnchanged(t, root, before)
}

// syncBuffer is a bytes.Buffer that a running rotor writes while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startNew runs rotor new in-process in the background; the channel
// yields its exit status.
func startNew(ctx context.Context, root string, stderr *syncBuffer) <-chan int {
	done := make(chan int, 1)
	e := Env{
		Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return time.Date(2026, time.November, 27, 9, 0, 0, 0, time.UTC) },
	}
	go func() {
		done <- Main(ctx, []string{"new", "--register", root, "--team", "payments", "--id", "vault-unseal-key",
			"--name", "Vault unseal key", "--owner", "ops@example.com", "--period", "90", "--last-changed", "2026-09-01"}, e)
	}()
	return done
}

func TestNewLock(t *testing.T) {
	const waiting = "waiting for the register lock held by another rotor new"
	hold := func(t *testing.T, root string) *register.Lock {
		t.Helper()
		l, err := register.LockRegister(context.Background(), root, time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Unlock() })
		return l
	}
	t.Run("waits for the lock, says so once, then writes", func(t *testing.T) {
		root := copyRegister(t)
		l := hold(t, root)
		var stderr syncBuffer
		done := startNew(context.Background(), root, &stderr)
		waitFor(t, &stderr, waiting)
		select {
		case code := <-done:
			t.Fatalf("finished with %d while the lock was held: %s", code, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if err := l.Unlock(); err != nil {
			t.Fatal(err)
		}
		if code := <-done; code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		if n := strings.Count(stderr.String(), waiting); n != 1 {
			t.Errorf("said it was waiting %d times:\n%s", n, stderr.String())
		}
		data, _ := os.ReadFile(filepath.Join(root, "payments.yaml"))
		if !strings.Contains(string(data), "- id: vault-unseal-key\n") {
			t.Errorf("entry not written:\n%s", data)
		}
		assertNoLeftovers(t, root)
	})
	t.Run("gives up after the timeout", func(t *testing.T) {
		defer func(d time.Duration) { newLockTimeout = d }(newLockTimeout)
		newLockTimeout = 100 * time.Millisecond
		root := copyRegister(t)
		hold(t, root)
		before := snapshot(t, root)
		var stderr syncBuffer
		code := <-startNew(context.Background(), root, &stderr)
		for _, want := range []string{waiting, "was held by process " + strconv.Itoa(os.Getpid()) + " for more than 100ms",
			"wait for it to finish and try again", "nothing was written"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
			}
		}
		if code != ExitFailed {
			t.Errorf("exit %d, want %d", code, ExitFailed)
		}
		assertUnchanged(t, root, before)
	})
	t.Run("an interrupt stops the wait", func(t *testing.T) {
		root := copyRegister(t)
		hold(t, root)
		before := snapshot(t, root)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var stderr syncBuffer
		done := startNew(ctx, root, &stderr)
		waitFor(t, &stderr, waiting)
		cancel()
		if code := <-done; code != ExitFailed || !strings.Contains(stderr.String(), "interrupted while waiting for the register lock; nothing was written") {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		assertUnchanged(t, root, before)
	})
}

// snapshot returns every file under root with its content.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// assertUnchanged fails when a file under root was added, removed or
// changed since the snapshot (a lock file included).
func assertUnchanged(t *testing.T, root string, before map[string]string) {
	t.Helper()
	after := snapshot(t, root)
	for path, data := range after {
		if old, ok := before[path]; !ok {
			t.Errorf("%s was created", path)
		} else if old != data {
			t.Errorf("%s was changed", path)
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			t.Errorf("%s was removed", path)
		}
	}
}
