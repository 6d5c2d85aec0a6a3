package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

type newOptions struct {
	registerOptions
	ID, Name, Owner, Team, System, Environment, Runbook, Criticality string
	Period                                                           int // 0: not given
	Notice                                                           int
	NoticeSet                                                        bool // --notice given, 0 included
	LastChanged                                                      string
	File                                                             string
	DryRun                                                           bool
}

func newNewCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "new",
		Usage: "add a credential to the register from the template",
		Description: "Appends an entry to a register file (comments, order and formatting of the rest stay as " +
			"they are) and validates the result before writing. Asks for missing values when run in a terminal.",
		Flags: append(registerFlags(),
			&cli.StringFlag{Name: "id", Usage: "stable `id`, lower-case kebab (payments-db-admin)"},
			&cli.StringFlag{Name: "name", Usage: "human `title`"},
			&cli.StringFlag{Name: "owner", Usage: "contact person's `email`"},
			&cli.IntFlag{Name: "period", Usage: "rotation period in `days`"},
			&cli.StringFlag{Name: "last-changed", Usage: "`date` of the last rotation (default: today)"},
			&cli.StringFlag{Name: "team", Usage: "owning `team`"},
			&cli.StringFlag{Name: "system", Usage: "`system` the credential belongs to"},
			&cli.StringFlag{Name: "environment", Usage: "`environment`, e.g. production"},
			&cli.IntFlag{Name: "notice", Usage: "notice window in `days` (default: the register's)"},
			&cli.StringFlag{Name: "runbook", Usage: "`URL` of the rotation procedure"},
			&cli.StringFlag{Name: "criticality", Usage: "low, medium, high or critical"},
			&cli.StringFlag{Name: "file", Usage: "register `file` to append to (default: <register>/<team>.yaml, else credentials.yaml)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the entry and the file it would go to; write nothing"},
		),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, env)
			if err != nil {
				return err
			}
			o := newOptions{
				registerOptions: ro,
				ID:              c.String("id"), Name: c.String("name"), Owner: c.String("owner"),
				Period: c.Int("period"), LastChanged: c.String("last-changed"), Team: c.String("team"),
				System: c.String("system"), Environment: c.String("environment"), Notice: c.Int("notice"),
				Runbook: c.String("runbook"), Criticality: c.String("criticality"), File: c.String("file"),
				DryRun: c.Bool("dry-run"), NoticeSet: c.IsSet("notice"),
			}
			return runNew(c.Context, env, o)
		},
	}
}

func runNew(ctx context.Context, env Env, o newOptions) error {
	if env.Interactive && (o.ID == "" || o.Name == "" || o.Owner == "" || o.Period == 0) {
		if err := promptMissing(env, &o); err != nil {
			return err
		}
	}
	var missing []string
	for _, m := range []struct{ flag, value string }{{"--id", o.ID}, {"--name", o.Name}, {"--owner", o.Owner}} {
		if m.value == "" {
			missing = append(missing, m.flag)
		}
	}
	if o.Period == 0 {
		missing = append(missing, "--period")
	}
	if len(missing) > 0 {
		return usageError("missing %s: give them as flags, or run rotor new in a terminal to be asked", strings.Join(missing, ", "))
	}

	res, err := loadRegister(ctx, env, o.registerOptions)
	if err != nil {
		return err
	}
	if c := res.Register.ByID(o.ID); c != nil {
		return failed("id %q is already used at %s:%d; choose another id", o.ID, c.Pos.File, c.Pos.Line)
	}
	if o.LastChanged == "" {
		o.LastChanged = res.Today.String()
	}
	if o.File == "" {
		name := "credentials.yaml"
		if o.Team != "" {
			name = o.Team + ".yaml"
		}
		o.File = filepath.Join(o.Root, name)
	}
	if !register.IsRegisterFileName(o.File) {
		return usageError("--file %q: a register file ends in .yaml or .yml", o.File)
	}
	if rel, err := relativePath(o.Root, o.File); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) ||
		rel == register.SettingsFile || rel == register.TemplateFile {
		return usageError("--file %q: choose a file inside the register folder %q (not rotor.yaml or template.yaml)", o.File, o.Root)
	}

	old, err := os.ReadFile(o.File)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return usageError("read %q: %v", o.File, err)
	}
	schemaRef, err := schemaPath(o.Root, o.File)
	if err != nil {
		return usageError("--file %q: %v", o.File, err)
	}
	data, err := register.AppendEntry(old, newFields(o), schemaRef)
	if err != nil {
		return failed("cannot add to %s: %v", o.File, err)
	}
	v, err := validator()
	if err != nil {
		return err
	}
	_, findings := v.ValidateFile(o.File, data, res.Register.Settings, res.Today)
	if register.CountErrors(findings) > 0 {
		writeFindingsText(env.Stderr, findings)
		return failed("the new entry would not be valid; nothing was written")
	}
	if o.DryRun {
		fmt.Fprintf(env.Stdout, "# would append to %s:\n", o.File)
		_, err := env.Stdout.Write(data[commonPrefix(old, data):])
		return err
	}
	if err := register.WriteFileAtomic(o.File, data); err != nil {
		return usageError("%v", err)
	}
	fmt.Fprintf(env.Stderr, "%sadded %q to %s; commit it and open a pull request\n", exitPrefix, o.ID, o.File)
	return nil
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

// schemaPath returns the path of credential.schema.json relative to file,
// for the editor line of a new file. The register sits beside schema/.
func schemaPath(root, file string) (string, error) {
	schema := filepath.Join(filepath.Dir(filepath.Clean(root)), "schema", "credential.schema.json")
	rel, err := relativePath(filepath.Dir(file), schema)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
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

// promptMissing asks for the values a new entry needs and were not given.
func promptMissing(env Env, o *newOptions) error {
	in := bufio.NewReader(env.Stdin)
	ask := func(label, def string, dst *string) error {
		if *dst != "" {
			return nil
		}
		for {
			if def != "" {
				fmt.Fprintf(env.Stderr, "%s [%s]: ", label, def)
			} else {
				fmt.Fprintf(env.Stderr, "%s: ", label)
			}
			line, err := in.ReadString('\n')
			line = strings.TrimSpace(line)
			if line == "" {
				line = def
			}
			if line != "" {
				*dst = line
				return nil
			}
			if err != nil {
				return usageError("no answer for %s", label)
			}
		}
	}
	if err := ask("id (lower-case kebab, e.g. payments-db-admin)", "", &o.ID); err != nil {
		return err
	}
	if err := ask("name", "", &o.Name); err != nil {
		return err
	}
	if err := ask("owner (email)", "", &o.Owner); err != nil {
		return err
	}
	if err := ask("team (optional, '-' for none)", "-", &o.Team); err != nil {
		return err
	}
	if o.Team == "-" {
		o.Team = ""
	}
	if o.Period == 0 {
		p := ""
		if err := ask("period_days", "90", &p); err != nil {
			return err
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return usageError("period_days %q is not a whole number of days", p)
		}
		o.Period = n
	}
	return nil
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
