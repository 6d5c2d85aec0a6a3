// Command demo-repo writes the repository `make demo` runs rotor on: the
// example register (credential_rotation/) with six months of history
// behind it, so that rotor report has a trend and a week to compare, and
// rotor audit has rotations, tickets, an exemption, a late rotation, a
// policy change, additions and a removal to show.
//
//	go run ./scripts/demo-repo -out bin/demo-repo -today 2026-11-27
//
// The history starts on 2026-05-29 and ends on 2026-11-24 with a tree equal
// to the example register. Every commit has a fixed author, committer and
// date, so two runs write the same commits (the same hashes). Rotations
// are made as people make them: rotor record's commit (its message and
// trailers, last_changed and last_ticket set by register.SetFields) or a
// hand edit, each on a branch merged by a reviewer through a pull request's
// merge commit, which is where rotor report and rotor audit read who
// merged it and the pull request's number.
//
// -out is replaced whole when it is a repository this command wrote (or an
// empty folder); anything else is refused.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// marker names the demo repository, so that -out is never a folder this
// command did not write.
const marker = "rotor-demo-repo"

// lastDay is the day of the history's last commit: DEMO_TODAY cannot be
// before it.
var lastDay = rotation.MustParseDate("2026-11-24")

func main() {
	out := flag.String("out", "", "the repository's folder (replaced whole if this command wrote it)")
	src := flag.String("register", "credential_rotation", "the example register the history ends with")
	today := flag.String("today", lastDay.String(), "the demo's today, YYYY-MM-DD: on or after "+lastDay.String())
	flag.Parse()
	if err := run(*out, *src, *today); err != nil {
		fmt.Fprintln(os.Stderr, "demo-repo:", err)
		os.Exit(1)
	}
}

func run(out, src, today string) error {
	if out == "" {
		return errors.New("-out is required: the folder to write the demo repository to")
	}
	d, err := rotation.ParseDate(today)
	if err != nil {
		return fmt.Errorf("-today %q: %w", today, err)
	}
	if d.Before(lastDay) {
		return fmt.Errorf("-today %s is before the demo history's last commit (%s): pick a day on or after it", d, lastDay)
	}
	final, err := readRegister(src)
	if err != nil {
		return err
	}
	steps, err := history(final)
	if err != nil {
		return fmt.Errorf("the demo history no longer fits %s (change scripts/demo-repo/main.go with it): %w", src, err)
	}
	if err := prepare(out); err != nil {
		return err
	}
	if err := write(out, filepath.Base(filepath.Clean(src)), steps, final); err != nil {
		return err
	}
	fmt.Printf("demo-repo: %d commits from %s to %s in %s\n", countCommits(steps), steps[0].when.Format(time.DateOnly), lastDay, out)
	return nil
}

// files is a register: file paths below the register folder (slash
// separated) and their contents.
type files map[string]string

func (f files) clone() files {
	c := make(files, len(f))
	for k, v := range f {
		c[k] = v
	}
	return c
}

func readRegister(dir string) (files, error) {
	f := files{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		f[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the example register: %w", err)
	}
	return f, nil
}

// person is a fixed identity of the history.
type person struct{ name, email string }

var (
	bob      = person{"Bob Payments", "bob@example.com"}
	carol    = person{"Carol Platform", "carol@example.com"}
	dave     = person{"Dave Platform", "dave@example.com"}
	erin     = person{"Erin Network", "erin@example.com"}
	frank    = person{"Frank Data", "frank@example.com"}
	grace    = person{"Grace Data", "grace@example.com"}
	reviewer = person{"Sam Security", "security-lead@example.com"}
	rotorBot = person{"rotor", "rotor@users.noreply.github.com"}
)

// step is one commit on main: a direct commit, or the merge of a pull
// request (its branch commit made from main as it was when it opened).
type step struct {
	when    time.Time
	who     person // author; for a merge, who merged it
	message string
	state   files // main's register after the step
	// A merge: the pull request's number and its branch commit.
	pr     int
	branch *branchCommit
}

type branchCommit struct {
	when    time.Time
	author  person
	message string
	base    int // index of the step on main it was made from
	state   files
}

func countCommits(steps []step) int {
	n := len(steps)
	for _, s := range steps {
		if s.branch != nil {
			n++
		}
	}
	return n
}

func at(day string, hour, minute int) time.Time {
	d := rotation.MustParseDate(day)
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, time.UTC)
}

// The register files the history edits.
const (
	payments  = "payments.yaml"
	platform  = "platform.yaml"
	analytics = "data/analytics.yaml"
)

// jenkinsToken is the credential removed in the last week: it was overdue,
// so the week's compliance changes with its removal.
const jenkinsToken = `  - id: jenkins-deploy-token
    name: Jenkins deploy API token
    owner: dave@example.com
    team: platform
    system: jenkins
    period_days: 90
    last_changed: 2026-05-15
    criticality: medium`

// history returns the steps from the first commit to the example register.
func history(final files) ([]step, error) {
	b := &builder{final: final}
	// The register as it started: payments and platform, before the
	// rotations, the exemption and the additions that follow.
	start := final.clone()
	delete(start, analytics)
	b.edit(start, payments, func(s string) (string, error) {
		s, err := dropEntry(s, "adyen-webhook-hmac")
		if err == nil {
			s, err = dropKey(s, "payments-db-admin", "last_ticket")
		}
		return chain(s, err, set("payments-db-admin", "last_changed", "2026-03-05"), set("stripe-api-key", "last_changed", "2026-02-12"))
	})
	b.edit(start, platform, func(s string) (string, error) {
		s, err := dropKey(s, "legacy-ldap-bind", "exemption")
		if err == nil {
			s, err = appendEntry(s, jenkinsToken)
		}
		return chain(s, err,
			set("github-actions-deploy-key", "last_changed", "2026-05-22"),
			set("gcp-terraform-sa-key", "last_changed", "2026-06-12"),
			set("vpn-shared-psk", "last_changed", "2026-05-05"))
	})
	b.direct(at("2026-05-29", 9, 12), carol, "Start the credential register: payments and platform", start)

	b.record(at("2026-06-02", 16, 5), at("2026-06-03", 9, 40), "payments-db-admin", "SEC-5", "2026-03-05", "2026-06-02", 90)
	b.handRotation(at("2026-06-04", 10, 2), at("2026-06-04", 14, 30), erin, "vpn-shared-psk", "2026-06-04")
	b.pr(at("2026-07-01", 11, 15), at("2026-07-01", 15, 3), frank, "frank/data-register",
		"Add the data team's credentials", func(f files) error {
			s, err := chain(final[analytics], nil,
				set("s3-partner-upload-key", "last_changed", "2026-06-02"),
				set("looker-api-client-secret", "period_days", "90"))
			f[analytics] = s
			return err
		})
	b.handRotation(at("2026-07-04", 9, 30), at("2026-07-06", 10, 11), erin, "vpn-shared-psk", "2026-07-04")
	b.handRotation(at("2026-08-03", 9, 45), at("2026-08-03", 13, 20), erin, "vpn-shared-psk", "2026-08-03")
	b.handRotation(at("2026-08-10", 17, 5), at("2026-08-11", 9, 15), bob, "stripe-api-key", "2026-08-10")
	b.pr(at("2026-08-17", 10, 0), at("2026-08-17", 16, 45), frank, "frank/looker-period",
		"Rotate the Looker API client secret every 180 days, as the vendor allows", b.setter(analytics, "looker-api-client-secret", "period_days", "180"))
	b.handRotation(at("2026-08-20", 8, 55), at("2026-08-20", 11, 30), carol, "github-actions-deploy-key", "2026-08-20")
	b.handRotation(at("2026-09-01", 8, 30), at("2026-09-01", 12, 0), grace, "s3-partner-upload-key", "2026-08-31")
	// One day late: the password was due on 2026-08-31.
	b.record(at("2026-09-01", 15, 20), at("2026-09-02", 9, 5), "payments-db-admin", "SEC-12", "2026-06-02", "2026-09-01", 90)
	b.handRotation(at("2026-09-02", 9, 10), at("2026-09-02", 9, 50), erin, "vpn-shared-psk", "2026-09-02")
	b.handRotation(at("2026-09-10", 14, 0), at("2026-09-10", 16, 30), carol, "gcp-terraform-sa-key", "2026-09-10")
	b.pr(at("2026-09-24", 11, 0), at("2026-09-25", 10, 20), dave, "dave/ldap-exemption",
		"Exempt the legacy LDAP bind account until its decommissioning", func(f files) error {
			lines, err := keyLines(final[platform], "legacy-ldap-bind", "exemption")
			if err != nil {
				return err
			}
			f[platform], err = appendToEntry(f[platform], "legacy-ldap-bind", lines)
			return err
		})
	b.pr(at("2026-10-01", 13, 30), at("2026-10-01", 17, 10), bob, "bob/adyen-webhook",
		"Add the Adyen webhook HMAC key", func(f files) error {
			entry, err := entryText(final[payments], "adyen-webhook-hmac")
			if err == nil {
				f[payments], err = appendEntry(f[payments], entry)
			}
			return err
		})
	b.handRotation(at("2026-10-02", 9, 5), at("2026-10-02", 11, 40), erin, "vpn-shared-psk", "2026-10-02")
	// Rotated on time on 2026-11-01; its pull request waits for review
	// until the last week, which is when the register says so.
	vpn := b.open(at("2026-11-02", 8, 50), erin, "erin/rotate-vpn-shared-psk", rotationTitle("vpn-shared-psk"), b.setter(platform, "vpn-shared-psk", "last_changed", "2026-11-01"))
	b.pr(at("2026-11-23", 10, 0), at("2026-11-23", 14, 25), dave, "dave/remove-jenkins",
		"Remove the Jenkins deploy token: Jenkins is decommissioned", func(f files) error {
			s, err := dropEntry(f[platform], "jenkins-deploy-token")
			f[platform] = s
			return err
		})
	b.merge(vpn, at("2026-11-24", 9, 35))
	if b.err != nil {
		return nil, b.err
	}
	return b.steps, nil
}

// builder makes the steps; its first error stops it.
type builder struct {
	final files
	steps []step
	prs   int
	err   error
}

func (b *builder) edit(f files, file string, fn func(string) (string, error)) {
	if b.err != nil {
		return
	}
	s, err := fn(f[file])
	if err != nil {
		b.err = fmt.Errorf("%s: %w", file, err)
		return
	}
	f[file] = s
}

func (b *builder) head() files { return b.steps[len(b.steps)-1].state }

func (b *builder) direct(when time.Time, who person, message string, state files) {
	if b.err == nil {
		b.steps = append(b.steps, step{when: when, who: who, message: message + "\n", state: state})
	}
}

// pending is a pull request opened and not merged yet.
type pending struct {
	number     int
	title      string
	branchName string
	change     func(files) error
	commit     *branchCommit
}

// open makes a pull request's branch commit from main as it is now.
func (b *builder) open(when time.Time, author person, branchName, title string, change func(files) error) *pending {
	return b.openWith(when, author, branchName, title, title+"\n", change)
}

func (b *builder) openWith(when time.Time, author person, branchName, title, message string, change func(files) error) *pending {
	if b.err != nil {
		return nil
	}
	b.prs++
	state := b.head().clone()
	if err := change(state); err != nil {
		b.err = fmt.Errorf("pull request #%d (%s): %w", b.prs, title, err)
		return nil
	}
	return &pending{number: b.prs, title: title, branchName: branchName, change: change,
		commit: &branchCommit{when: when, author: author, message: message, base: len(b.steps) - 1, state: state}}
}

// merge merges p into main, as reviewer, at when: the change applied to
// main as it is then.
func (b *builder) merge(p *pending, when time.Time) {
	if b.err != nil || p == nil {
		return
	}
	state := b.head().clone()
	if err := p.change(state); err != nil {
		b.err = fmt.Errorf("merging pull request #%d (%s): %w", p.number, p.title, err)
		return
	}
	b.steps = append(b.steps, step{
		when: when, who: reviewer, state: state, pr: p.number, branch: p.commit,
		message: fmt.Sprintf("Merge pull request #%d from acme/%s\n\n%s\n", p.number, p.branchName, p.title),
	})
}

func (b *builder) pr(opened, merged time.Time, author person, branchName, title string, change func(files) error) {
	b.merge(b.open(opened, author, branchName, title, change), merged)
}

// handRotation is a rotation edited by hand: last_changed only, no ticket.
func (b *builder) handRotation(opened, merged time.Time, author person, id, done string) {
	file, err := b.fileOf(id)
	if err != nil {
		b.err = err
		return
	}
	b.pr(opened, merged, author, author.branch("rotate-"+id), rotationTitle(id), b.setter(file, id, "last_changed", done))
}

func rotationTitle(id string) string { return "Rotate " + id }

func (p person) branch(name string) string {
	first, _, _ := strings.Cut(p.email, "@")
	return first + "/" + name
}

// record is a rotation recorded by `rotor record`: its commit on the
// branch rotor/record/<id>, with the message and trailers rotor record
// writes, last_changed and last_ticket set as it sets them.
func (b *builder) record(committed, merged time.Time, id, ticket, old, done string, period int) {
	file, err := b.fileOf(id)
	if err != nil {
		b.err = err
		return
	}
	d := rotation.MustParseDate(done)
	// The message of internal/record's commitMessage.
	msg := fmt.Sprintf("Record rotation of %s (%s)\n\n%s was done on %s: last_changed %s -> %s, next due %s.\n\n",
		id, ticket, ticket, done, old, done, d.AddDays(period)) + rotation.FormatTrailers(id, ticket)
	change := func(f files) error {
		s, err := register.SetFields([]byte(f[file]), id, []register.Field{
			{Key: "last_changed", Value: done, Plain: true},
			{Key: "last_ticket", Value: ticket},
		})
		f[file] = string(s)
		return err
	}
	p := b.openWith(committed, rotorBot, "rotor/record/"+id, fmt.Sprintf("Record rotation of %s (%s)", b.nameOf(id), ticket), msg, change)
	b.merge(p, merged)
}

func (b *builder) setter(file, id, key, value string) func(files) error {
	return func(f files) error {
		s, err := set(id, key, value)(f[file])
		f[file] = s
		return err
	}
}

// fileOf is the register file that holds id in the example register.
func (b *builder) fileOf(id string) (string, error) {
	for _, file := range []string{payments, platform, analytics} {
		if _, _, err := entrySpan(lines(b.final[file]), id); err == nil {
			return file, nil
		}
	}
	return "", fmt.Errorf("no credential %s in the example register", id)
}

// nameOf is the credential's name in the example register, as rotor
// record titles its pull request.
func (b *builder) nameOf(id string) string {
	file, _ := b.fileOf(id)
	ls, err := keyLines(b.final[file], id, "name")
	if err != nil || len(ls) == 0 {
		return id
	}
	_, v, _ := strings.Cut(ls[0], ":")
	return strings.TrimSpace(v)
}

// set returns an edit that sets key of the entry id, as rotor does.
func set(id, key, value string) func(string) (string, error) {
	return func(s string) (string, error) {
		out, err := register.SetFields([]byte(s), id, []register.Field{{Key: key, Value: value, Plain: true}})
		return string(out), err
	}
}

func chain(s string, err error, edits ...func(string) (string, error)) (string, error) {
	for _, e := range edits {
		if err != nil {
			return s, err
		}
		s, err = e(s)
	}
	return s, err
}

// The register files are the example register's layout: a credentials:
// list of entries "  - id: …" with their keys four spaces in, separated by
// blank lines. These edits keep every other line as it is.

func lines(s string) []string { return strings.Split(s, "\n") }

func indent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// entrySpan returns the lines [from, to) of entry id, without the blank
// lines after it.
func entrySpan(ls []string, id string) (from, to int, err error) {
	from = slices.IndexFunc(ls, func(l string) bool { return strings.TrimSpace(l) == "- id: "+id })
	if from < 0 {
		return 0, 0, fmt.Errorf("no entry %s", id)
	}
	to = len(ls)
	for i := from + 1; i < len(ls); i++ {
		if strings.TrimSpace(ls[i]) != "" && indent(ls[i]) <= indent(ls[from]) {
			to = i
			break
		}
	}
	for to > from+1 && strings.TrimSpace(ls[to-1]) == "" {
		to--
	}
	return from, to, nil
}

func entryText(s, id string) (string, error) {
	ls := lines(s)
	from, to, err := entrySpan(ls, id)
	return strings.Join(ls[from:to], "\n"), err
}

// dropEntry removes entry id and the blank line that separates it.
func dropEntry(s, id string) (string, error) {
	ls := lines(s)
	from, to, err := entrySpan(ls, id)
	if err != nil {
		return s, err
	}
	if from > 0 && strings.TrimSpace(ls[from-1]) == "" {
		from--
	} else if to < len(ls)-1 && strings.TrimSpace(ls[to]) == "" {
		to++
	}
	return strings.Join(slices.Delete(ls, from, to), "\n"), nil
}

// appendEntry adds an entry at the end of the file, after a blank line.
func appendEntry(s, entry string) (string, error) {
	return strings.TrimRight(s, "\n") + "\n\n" + entry + "\n", nil
}

// keyLines returns the line of key in entry id and the lines nested under
// it.
func keyLines(s, id, key string) ([]string, error) {
	ls := lines(s)
	from, to, err := keySpan(ls, id, key)
	return ls[from:to], err
}

func keySpan(ls []string, id, key string) (from, to int, err error) {
	first, last, err := entrySpan(ls, id)
	if err != nil {
		return 0, 0, err
	}
	for i := first + 1; i < last; i++ {
		if strings.HasPrefix(strings.TrimSpace(ls[i]), key+":") {
			j := i + 1
			for j < last && (strings.TrimSpace(ls[j]) == "" || indent(ls[j]) > indent(ls[i])) {
				j++
			}
			return i, j, nil
		}
	}
	return 0, 0, fmt.Errorf("entry %s has no %s", id, key)
}

func dropKey(s, id, key string) (string, error) {
	ls := lines(s)
	from, to, err := keySpan(ls, id, key)
	if err != nil {
		return s, err
	}
	return strings.Join(slices.Delete(ls, from, to), "\n"), nil
}

func appendToEntry(s, id string, add []string) (string, error) {
	ls := lines(s)
	_, to, err := entrySpan(ls, id)
	if err != nil {
		return s, err
	}
	return strings.Join(slices.Insert(ls, to, add...), "\n"), nil
}

// prepare empties out: a folder this command wrote before, or an empty
// or missing one.
func prepare(out string) error {
	entries, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(out, 0o755)
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(out, ".git", marker)); err != nil {
			return fmt.Errorf("%s is not empty and not a demo repository this command wrote: pick another -out", out)
		}
		if err := os.RemoveAll(out); err != nil {
			return err
		}
	}
	return os.MkdirAll(out, 0o755)
}

// gitEnv is git without the user's or the system's configuration, so
// that two runs write the same repository.
func gitEnv() []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.DevNull,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
	}
}

func git(dir string, stdin []byte, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// write makes the repository with one git fast-import: main's commits,
// and each pull request's branch commit as a second parent of its merge.
// If the history does not end at the example register (it was changed
// since this was written), one last commit brings it in step.
func write(out, folder string, steps []step, final files) error {
	if err := git(out, nil, "init", "--quiet", "--initial-branch=main"); err != nil {
		return err
	}
	if last := steps[len(steps)-1].state; !equal(last, final) {
		fmt.Fprintf(os.Stderr, "demo-repo: the example register differs from the end of the demo history (%s): a last commit brings it in step\n", strings.Join(differing(last, final), ", "))
		steps = append(steps, step{when: at(lastDay.String(), 17, 0), who: reviewer, message: "Bring the register in step with the example register\n", state: final})
	}
	var s bytes.Buffer
	commit := func(ref string, mark int, author, committer person, authored, committed time.Time, msg string, from int, merge int, state files) {
		fmt.Fprintf(&s, "commit %s\nmark :%d\n", ref, mark)
		fmt.Fprintf(&s, "author %s <%s> %d +0000\ncommitter %s <%s> %d +0000\n", author.name, author.email, authored.Unix(), committer.name, committer.email, committed.Unix())
		fmt.Fprintf(&s, "data %d\n%s\n", len(msg), msg)
		if from > 0 {
			fmt.Fprintf(&s, "from :%d\n", from)
		}
		if merge > 0 {
			fmt.Fprintf(&s, "merge :%d\n", merge)
		}
		s.WriteString("deleteall\n")
		paths := make([]string, 0, len(state))
		for p := range state {
			paths = append(paths, p)
		}
		slices.Sort(paths)
		for _, p := range paths {
			fmt.Fprintf(&s, "M 100644 inline %s\ndata %d\n%s\n", path.Join(folder, p), len(state[p]), state[p])
		}
		s.WriteString("\n")
	}
	mainMark := make([]int, len(steps)) // the mark of each step's commit on main
	next := 1
	for i, st := range steps {
		from := 0
		if i > 0 {
			from = mainMark[i-1]
		}
		merge := 0
		if bc := st.branch; bc != nil {
			merge = next
			commit("refs/heads/pull", next, bc.author, bc.author, bc.when, bc.when, bc.message, mainMark[bc.base], 0, bc.state)
			next++
		}
		mainMark[i] = next
		author := st.who
		if st.branch != nil {
			// A merge commit on GitHub: its author and committer are who merged it.
			author = reviewer
		}
		commit("refs/heads/main", next, author, st.who, st.when, st.when, st.message, from, merge, st.state)
		next++
	}
	if err := git(out, s.Bytes(), "fast-import", "--quiet"); err != nil {
		return err
	}
	if err := git(out, nil, "update-ref", "-d", "refs/heads/pull"); err != nil {
		return err
	}
	if err := git(out, nil, "reset", "--quiet", "--hard", "main"); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, ".git", marker), []byte("written by scripts/demo-repo for make demo\n"), 0o644)
}

func equal(a, b files) bool {
	return len(differing(a, b)) == 0
}

func differing(a, b files) []string {
	var d []string
	for p, v := range a {
		if w, ok := b[p]; !ok || w != v {
			d = append(d, p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			d = append(d, p)
		}
	}
	slices.Sort(d)
	return d
}
