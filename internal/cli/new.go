package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/scaffold"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/validate"
)

type newOptions struct {
	registerOptions
	ID, Name, Owner, Team, System, Environment, Runbook, Criticality string
	Period                                                           int
	PeriodSet                                                        bool // --period given
	Notice                                                           int
	NoticeSet                                                        bool // --notice given, 0 included
	LastChanged                                                      string
	File                                                             string
	DryRun                                                           bool
}

// newLockTimeout bounds the wait for the register lock of another rotor
// new. A writer holds it for milliseconds, so a long wait means a stuck
// process; a variable so that tests can shorten it.
var newLockTimeout = 30 * time.Second

func newNewCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "new",
		Usage: "add a credential to the register from the template",
		Description: "Appends an entry to a register file (comments, order and formatting of the rest stay as " +
			"they are) and validates the result before writing. Asks for missing values when run in a terminal, " +
			"checking each answer as it is typed. Runs of rotor new take turns: each holds the register lock " +
			"(" + register.LockFile + " in the register folder) while it re-reads, checks and writes.",
		Flags: append(registerFlags(),
			&cli.StringFlag{Name: "id", Usage: "stable `id`, lower-case kebab (payments-db-admin)"},
			&cli.StringFlag{Name: "name", Usage: "human `title`"},
			&cli.StringFlag{Name: "owner", Usage: "contact person's `email`"},
			&cli.IntFlag{Name: "period", Usage: "rotation period in `days`"},
			&cli.StringFlag{Name: "last-changed", Usage: "`date` of the last rotation, YYYY-MM-DD; required, never today by default"},
			&cli.StringFlag{Name: "team", Usage: "owning `team`"},
			&cli.StringFlag{Name: "system", Usage: "`system` the credential belongs to"},
			&cli.StringFlag{Name: "environment", Usage: "`environment`, e.g. production"},
			&cli.IntFlag{Name: "notice", Usage: "notice window in `days` (default: the register's)"},
			&cli.StringFlag{Name: "runbook", Usage: "`URL` of the rotation procedure"},
			&cli.StringFlag{Name: "criticality", Usage: "`level`: low, medium, high or critical"},
			&cli.StringFlag{Name: "file", Usage: "register `file` to append to (default: <register>/<team>.yaml, the team in lower-case kebab, else credentials.yaml)"},
			&cli.BoolFlag{DisableDefaultText: true, Name: "dry-run", Usage: "print the entry and the file it would go to; write nothing"},
		),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			o := newOptions{
				registerOptions: ro,
				ID:              c.String("id"), Name: c.String("name"), Owner: c.String("owner"),
				Period: c.Int("period"), PeriodSet: c.IsSet("period"), LastChanged: c.String("last-changed"), Team: c.String("team"),
				System: c.String("system"), Environment: c.String("environment"), Notice: c.Int("notice"),
				Runbook: c.String("runbook"), Criticality: c.String("criticality"), File: c.String("file"),
				DryRun: c.Bool("dry-run"), NoticeSet: c.IsSet("notice"),
			}
			return runNew(c.Context, f, o)
		},
	}
}

// runNew adds one credential. The order is what makes it safe:
//
//  1. every value given is checked on its own (checkNewFlags), before
//     anything is read or locked;
//  2. the register is read (its time zone gives today: a --last-changed
//     after it is refused here) to ask for what is missing (each answer
//     checked as it is typed) and to build and validate the entry: this first read
//     is only for quick answers, --dry-run stops here;
//  3. under the register lock, the register is read and checked again (the
//     id must still be free, the file may have grown), the file is replaced
//     atomically, and the lock is released.
func runNew(ctx context.Context, f *factory, o newOptions) error {
	v, err := f.validator()
	if err != nil {
		return err
	}
	if err := checkNewFlags(f.Stderr, v, o); err != nil {
		return err
	}
	if !f.Interactive {
		if missing := missingFlags(o); len(missing) > 0 {
			return usageError("missing %s: give them as flags, or run rotor new in a terminal to be asked", strings.Join(missing, ", "))
		}
	}
	res, err := loadRegister(ctx, f, o.registerOptions)
	if err != nil {
		return err
	}
	// Today is known once the register (its time zone) is read: a
	// --last-changed after it is refused now, before any question.
	if o.LastChanged != "" {
		if pr := checkDate(v, res, o.LastChanged); pr != nil {
			printFlagProblem(f.Stderr, "--last-changed", "last_changed", pr)
			return usageError("nothing was written: fix the value above")
		}
	}
	var p *prompter
	if f.Interactive && len(missingFlags(o)) > 0 {
		p = newPrompter(ctx, f.Stdin, f.Stderr)
		defer p.close()
		if err := p.askMissing(v, res, &o); err != nil {
			return err
		}
	}
	if o.File == "" {
		o.File = teamFile(o.Root, o.Team)
		if name, _ := teamFileName(o.Team); o.Team != "" && name != o.Team {
			fmt.Fprintf(f.Stderr, "%steam %q goes to %s (file names are lower-case kebab; the entry keeps the team as given)\n", exitPrefix, o.Team, o.File)
		}
	}
	if err := checkFile(o.Root, o.File); err != nil {
		return err
	}
	if c := res.Register.ByID(o.ID); c != nil {
		return failed("id %q is already used at %s:%d; choose another id; nothing was written", o.ID, c.Pos.File, c.Pos.Line)
	}
	old, data, err := buildEntry(f.Stderr, v, res, o)
	if err != nil {
		return err
	}
	entry := data[commonPrefix(old, data):]
	if o.DryRun {
		// No lock: a dry run writes nothing, not even a lock file.
		fmt.Fprintf(f.Stdout, "# would append to %s:\n", o.File)
		_, err := f.Stdout.Write(entry)
		return err
	}
	if p != nil {
		if err := p.confirm(o.File, old == nil, entry); err != nil {
			return err
		}
	}
	return writeLocked(ctx, f, v, res, o)
}

// writeLocked re-reads the register under its lock, checks the entry
// again against what is there now, and writes it. The lock is
// register.LockFile inside the register folder, whichever file the entry
// goes to: one lock for the whole register, since an id must be unique
// across its files. It is hidden, so discovery skips it, and removed on
// release; on unix it is a flock that dies with the process.
func writeLocked(ctx context.Context, f *factory, v *validate.Validator, before *validate.Result, o newOptions) error {
	lock, err := register.LockRegister(ctx, o.Root, newLockTimeout, func() {
		fmt.Fprintf(f.Stderr, "%swaiting for the register lock held by another rotor new (%s)\n", exitPrefix, filepath.Join(o.Root, register.LockFile))
	})
	if err != nil {
		switch {
		case errors.Is(err, register.ErrLockTimeout):
			return failed("%v; nothing was written", err)
		case ctx.Err() != nil:
			return failed("interrupted while waiting for the register lock; nothing was written")
		}
		return usageError("%v; nothing was written (rotor new creates %s in the register folder while it writes)", err, register.LockFile)
	}
	err = func() error {
		res, err := loadRegister(ctx, f, o.registerOptions)
		if err != nil {
			return err
		}
		if c := res.Register.ByID(o.ID); c != nil {
			meanwhile := ""
			if before.Register.ByID(o.ID) == nil {
				meanwhile = " (added by another rotor new just now)"
			}
			return failed("id %q is already used at %s:%d%s; choose another id; nothing was written", o.ID, c.Pos.File, c.Pos.Line, meanwhile)
		}
		_, data, err := buildEntry(f.Stderr, v, res, o)
		if err != nil {
			return err
		}
		if err := register.WriteFileAtomic(o.File, data); err != nil {
			return usageError("%v; the file is unchanged", err)
		}
		return nil
	}()
	if uerr := lock.Unlock(); uerr != nil {
		fmt.Fprintf(f.Stderr, "%swarning: %v\n", exitPrefix, uerr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(f.Stderr, "%sadded %q to %s; commit it and open a pull request\n", exitPrefix, o.ID, o.File)
	return nil
}

// buildEntry returns the file's content now (nil when it does not exist)
// and with the entry appended, refusing an entry that would not validate.
func buildEntry(w io.Writer, v *validate.Validator, res *validate.Result, o newOptions) (old, data []byte, err error) {
	old, err = os.ReadFile(o.File)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, usageError("read %q: %v", o.File, err)
	}
	schemaRef, err := schemaPath(o.Root, o.File)
	if err != nil {
		return nil, nil, usageError("--file %q: %v", o.File, err)
	}
	data, err = register.AppendEntry(old, newFields(o), schemaRef)
	if err != nil {
		return nil, nil, failed("cannot add to %s: %v", o.File, err)
	}
	_, findings := v.ValidateFile(o.File, data, res.Register.Settings, res.Today)
	if register.CountErrors(findings) > 0 {
		writeFindingsText(w, findings)
		return nil, nil, failed("the new entry would not be valid; nothing was written")
	}
	return old, data, nil
}

func missingFlags(o newOptions) []string {
	var missing []string
	for _, m := range []struct{ flag, value string }{{"--id", o.ID}, {"--name", o.Name}, {"--owner", o.Owner}} {
		if m.value == "" {
			missing = append(missing, m.flag)
		}
	}
	if !o.PeriodSet && o.Period == 0 {
		missing = append(missing, "--period")
	}
	if o.LastChanged == "" {
		missing = append(missing, "--last-changed")
	}
	return missing
}

// checkNewFlags checks every value given as a flag on its own, with the
// rules rotor validate applies to it, so a bad value is refused before the
// register is read or locked. Each problem is printed to w with its hint.
func checkNewFlags(w io.Writer, v *validate.Validator, o newOptions) error {
	values := []struct{ flag, field, value string }{
		{"--id", "id", o.ID}, {"--name", "name", o.Name}, {"--owner", "owner", o.Owner},
		{"--team", "team", o.Team}, {"--system", "system", o.System}, {"--environment", "environment", o.Environment},
		{"--last-changed", "last_changed", o.LastChanged}, {"--runbook", "runbook", o.Runbook}, {"--criticality", "criticality", o.Criticality},
	}
	if o.PeriodSet || o.Period != 0 {
		values = append(values, struct{ flag, field, value string }{"--period", "period_days", strconv.Itoa(o.Period)})
	}
	if o.NoticeSet {
		values = append(values, struct{ flag, field, value string }{"--notice", "notice_days", strconv.Itoa(o.Notice)})
	}
	problems := 0
	for _, f := range values {
		if f.value == "" {
			continue
		}
		problem := checkValue(v, f.field, f.value)
		if problem == nil && f.field == "team" && (o.File == "" || strings.HasPrefix(f.value, ".")) {
			problem = checkTeamFile(f.value)
		}
		if problem != nil {
			printFlagProblem(w, f.flag, f.field, problem)
			problems++
		}
	}
	switch problems {
	case 0:
		return nil
	case 1:
		return usageError("nothing was written: fix the value above")
	}
	return usageError("nothing was written: fix the values above")
}

// printFlagProblem prints the problem of the value of flag, for field.
func printFlagProblem(w io.Writer, flag, field string, p *problem) {
	// "--id: "Vault" does not ...", not "--id: id: "Vault" ...";
	// the field stays when the rest does not show the value.
	if rest := strings.TrimPrefix(p.msg, field+": "); strings.HasPrefix(rest, `"`) {
		p.msg = rest
	}
	fmt.Fprintf(w, "%s%s: %s\n", exitPrefix, flag, p.text("    "))
}

// problem is a refused value: what is wrong and what to write instead.
type problem struct {
	msg, rule, hint string
}

// text is the problem as printed: the message, safe for a terminal (it may
// quote what was typed), and the hint on a line of its own after indent.
func (p *problem) text(indent string) string {
	s := textsafe.Value(p.msg)
	if p.rule != "" {
		s += " [" + p.rule + "]"
	}
	if p.hint != "" {
		s += "\n" + indent + "hint: " + p.hint
	}
	return s
}

// textHints stand in for the validator's hint on the free-text fields,
// which have none of their own.
var textHints = map[string]string{
	"name":        "a short human title, e.g. 'Payments DB admin password'",
	"team":        "the owning team's name, e.g. payments",
	"system":      "the system the credential belongs to, e.g. payments-postgres",
	"environment": "the environment, e.g. production",
}

// checkValue checks one field value with validate.CheckField: whatever
// rotor validate would say of it in the file (single-line text without
// control characters included), the prompt and the flags say too.
func checkValue(v *validate.Validator, field, value string) *problem {
	return fieldProblem(field, v.CheckField(field, value))
}

// checkDate checks a last_changed answer as checkValue does, and also
// refuses a date after today in the register's time zone, as rotor
// validate would.
func checkDate(v *validate.Validator, res *validate.Result, value string) *problem {
	return fieldProblem("last_changed", v.CheckFieldOn("last_changed", value, res.Today, res.Register.Settings.Timezone))
}

// fieldProblem is err of validate.CheckField as a problem; nil for nil.
func fieldProblem(field string, err error) *problem {
	if err == nil {
		return nil
	}
	var fe *validate.FieldError
	if !errors.As(err, &fe) {
		return &problem{msg: err.Error()}
	}
	p := &problem{msg: fe.Message, rule: fe.Rule, hint: fe.Hint}
	if p.hint == "" {
		p.hint = textHints[field]
	}
	return p
}

// checkTeamFile refuses a team that cannot name its register file,
// <team>.yaml: discovery skips hidden names, and the name must be one path
// component that every operating system can create.
func checkTeamFile(team string) *problem {
	const useFile = "or pass --file to choose the file"
	switch {
	case strings.HasPrefix(team, "."):
		return &problem{
			msg:  fmt.Sprintf("team %q would name the file %s.yaml, and rotor skips hidden files (names starting with '.'), so the register would ignore the credential", team, team),
			hint: "choose a team name that does not start with '.', " + useFile,
		}
	case strings.ContainsAny(team, `/\:*?"<>|`) || strings.ContainsFunc(team, textsafe.Unsafe):
		return &problem{
			msg:  fmt.Sprintf("team %q cannot name a register file (%s.yaml): it holds a character that is not allowed in a file name", team, team),
			hint: `choose a team name without / \ : * ? " < > | or control characters, ` + useFile,
		}
	case team != strings.TrimSpace(team) || strings.HasSuffix(team, "."):
		return &problem{
			msg:  fmt.Sprintf("team %q cannot name a register file: it starts or ends with a space or ends with '.'", team),
			hint: "trim the team name, " + useFile,
		}
	}
	name, ok := teamFileName(team)
	if !ok {
		why := "it has no letter or digit"
		if strings.ContainsFunc(team, func(r rune) bool { return r > unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) }) {
			why = "its letters outside ASCII would be lost"
		}
		return &problem{
			msg:  fmt.Sprintf("team %q cannot be mapped to a file name of lower-case ASCII letters, digits and dashes: %s", team, why),
			hint: "pass --file to choose the file (the entry keeps the team as given), or choose another team name",
		}
	}
	for _, special := range []string{register.SettingsFile, register.TemplateFile} {
		if name+".yaml" == special {
			return &problem{
				msg:  fmt.Sprintf("team %q would name the file %s, which is not a register file", team, special),
				hint: "choose another team name, " + useFile,
			}
		}
	}
	return nil
}

// teamFileName returns the name, without extension, of the register file
// for team's entries: the team itself when it is already a safe file name
// (lower-case ASCII letters, digits, '-', '_' and '.'), else its
// lower-case kebab form ("Payments Team": payments-team), the same on
// every operating system and file system. ok is false when no such name
// can stand for the team: no letter or digit, or one outside ASCII that
// the kebab form would drop.
func teamFileName(team string) (name string, ok bool) {
	safe := func(r rune) bool { return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' }
	if team != "" && !strings.ContainsFunc(team, func(r rune) bool { return !safe(r) && r != '-' && r != '_' && r != '.' }) {
		return team, true
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(team) {
		switch {
		case safe(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return "", false
		default:
			dash = true
		}
	}
	return b.String(), b.Len() > 0
}

// teamFile returns the register file a team's entries go to: an existing
// <name>.yaml or <name>.yml, else a new <name>.yaml, where name is
// teamFileName's (credentials.yaml without a team). The team is checked
// (checkTeamFile) before.
func teamFile(root, team string) string {
	if team == "" {
		return filepath.Join(root, "credentials.yaml")
	}
	name, _ := teamFileName(team)
	for _, ext := range []string{".yaml", ".yml"} {
		if fi, err := os.Stat(filepath.Join(root, name+ext)); err == nil && fi.Mode().IsRegular() {
			return filepath.Join(root, name+ext)
		}
	}
	return filepath.Join(root, name+".yaml")
}

// checkFile refuses a file the register would not read: outside the
// register folder, not YAML, the settings or template, or hidden.
func checkFile(root, file string) error {
	if !register.IsRegisterFileName(file) {
		return usageError("--file %q: a register file ends in .yaml or .yml", file)
	}
	rel, err := relativePath(root, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) ||
		rel == register.SettingsFile || rel == register.TemplateFile {
		return usageError("--file %q: choose a file inside the register folder %q (not rotor.yaml or template.yaml)", file, root)
	}
	if register.IsCredentialPath(filepath.ToSlash(rel)) {
		return nil
	}
	// The one rule left: a hidden file or folder on the way. Say which.
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		if strings.HasPrefix(part, ".") {
			return usageError("--file %q: %q starts with '.', and rotor skips hidden files and folders, so the register would ignore the credential; "+
				"choose a file and folders whose names do not start with '.'", file, part)
		}
	}
	return usageError("--file %q: the register would not read it", file)
}

func newFields(o newOptions) []register.Field {
	fields := []register.Field{
		{Key: "id", Value: o.ID},
		{Key: "name", Value: o.Name},
		{Key: "owner", Value: o.Owner},
	}
	add := func(key, value string) {
		if value != "" {
			fields = append(fields, register.Field{Key: key, Value: value})
		}
	}
	add("team", o.Team)
	add("system", o.System)
	add("environment", o.Environment)
	fields = append(fields,
		register.Field{Key: "period_days", Value: strconv.Itoa(o.Period), Plain: true},
		register.Field{Key: "last_changed", Value: o.LastChanged, Plain: rotation.ValidDateText(o.LastChanged)},
	)
	if o.NoticeSet {
		fields = append(fields, register.Field{Key: "notice_days", Value: strconv.Itoa(o.Notice), Plain: true})
	}
	add("criticality", o.Criticality)
	add("runbook", o.Runbook)
	return fields
}

// schemaPath returns the $schema reference of a new file's editor line,
// the one rotor init writes in that repository: the register's copy of
// the schema (scaffold.SchemaRef, <register>/.schema/credential.schema.json).
// A register without that copy, sitting beside a schema/ folder that has
// the schema, is rotor's own repository: its files point at the source.
func schemaPath(root, file string) (string, error) {
	copied := filepath.Join(root, scaffold.SchemaDir, scaffold.CredentialSchema)
	source := filepath.Join(filepath.Dir(filepath.Clean(root)), "schema", scaffold.CredentialSchema)
	if !fileExists(copied) && fileExists(source) {
		rel, err := relativePath(filepath.Dir(file), source)
		if err != nil {
			return "", err
		}
		return filepath.ToSlash(rel), nil
	}
	return scaffold.SchemaRef(root, file, scaffold.CredentialSchema)
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	// Back up to the start of the line so the printed text is whole lines.
	for n > 0 && b[n-1] != '\n' {
		n--
	}
	return n
}

// teamFiles returns the names, without extension, of the register files at
// the top of the register folder: the teams that already have a file.
func teamFiles(res *validate.Result, root string) []string {
	var teams []string
	for _, f := range res.Files {
		if filepath.Clean(filepath.Dir(f)) == filepath.Clean(root) {
			teams = append(teams, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)))
		}
	}
	return teams
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// relativePath is filepath.Rel of two paths that may each be relative to
// the working directory or absolute.
func relativePath(base, target string) (string, error) {
	b, err := filepath.Abs(base)
	if err != nil {
		return "", err
	}
	t, err := filepath.Abs(target)
	if err != nil {
		return "", err
	}
	return filepath.Rel(b, t)
}
