package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/markdown"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/validate"
)

type validateOptions struct {
	registerOptions
	Format string   // text or json
	Paths  []string // report only findings in these files or folders
}

func newValidateCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check the register: schema, rules and leak guard",
		ArgsUsage: "[PATH...]",
		Description: "Validates the whole register (cross-file rules need all of it). With PATHs, only findings " +
			"in those files or folders are reported. Exit status: 0 clean, 1 findings, 2 usage or read error.",
		Flags: append(registerFlags(),
			&cli.StringFlag{Name: "format", Usage: "output `format`: text or json", Value: "text"},
		),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			o := validateOptions{registerOptions: ro, Format: c.String("format"), Paths: c.Args().Slice()}
			return runValidate(c.Context, f, o)
		},
	}
}

func runValidate(ctx context.Context, f *factory, o validateOptions) error {
	if err := checkFormat(o.Format, "text", "json"); err != nil {
		return err
	}
	res, err := loadRegister(ctx, f, o.registerOptions)
	if err != nil {
		return err
	}
	paths, err := resolvePaths(o.Root, o.Paths, res)
	if err != nil {
		return err
	}
	findings := filterFindings(res.Findings, paths)
	switch o.Format {
	case "json":
		if findings == nil {
			findings = []register.Finding{}
		}
		enc := json.NewEncoder(f.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(findings); err != nil {
			return err
		}
	default:
		writeFindingsText(f.Stdout, findings)
	}
	if f.inActions() {
		writeAnnotations(f.Stdout, findings)
		if err := appendStepSummary(f.Env, validateSummary(res, findings)); err != nil {
			fmt.Fprintf(f.Stderr, "%swarning: %v\n", exitPrefix, err)
		}
	}
	errs := register.CountErrors(findings)
	warns := register.CountWarnings(findings)
	scope := fmt.Sprintf("%s in %s", textsafe.Plural(len(res.Register.Credentials), "credential", "credentials"), textsafe.Plural(len(res.Files), "file", "files"))
	if errs > 0 {
		return failed("%s, %s (%s)", textsafe.Plural(errs, "error", "errors"), textsafe.Plural(warns, "warning", "warnings"), scope)
	}
	if warns > 0 {
		fmt.Fprintf(f.Stderr, "%s%s, no errors (%s)\n", exitPrefix, textsafe.Plural(warns, "warning", "warnings"), scope)
		return nil
	}
	fmt.Fprintf(f.Stderr, "%sregister is valid (%s)\n", exitPrefix, scope)
	return nil
}

// writeFindingsText prints one finding a line, each hint indented below.
// File names and messages come from the register: they go through
// textsafe, the file with Path since it begins the line.
func writeFindingsText(w io.Writer, fs []register.Finding) {
	for _, f := range fs {
		safe := f
		safe.File, safe.Rule, safe.Message = textsafe.Path(f.File), textsafe.Value(f.Rule), textsafe.Value(f.Message)
		fmt.Fprintln(w, safe.String())
		if f.Hint != "" {
			fmt.Fprintf(w, "    hint: %s\n", textsafe.Value(f.Hint))
		}
	}
}

// validateSummary is the job summary of rotor validate, in Markdown; it is
// shown on pull requests, so every value goes through package markdown.
func validateSummary(res *validate.Result, fs []register.Finding) string {
	var b strings.Builder
	errs := register.CountErrors(fs)
	if errs == 0 {
		fmt.Fprintf(&b, "### rotor validate: passed\n\n%s in %s, %s.\n",
			textsafe.Plural(len(res.Register.Credentials), "credential", "credentials"), textsafe.Plural(len(res.Files), "file", "files"), textsafe.Plural(register.CountWarnings(fs), "warning", "warnings"))
	} else {
		fmt.Fprintf(&b, "### rotor validate: %s\n\n", textsafe.Plural(errs, "error", "errors"))
	}
	if len(fs) == 0 {
		return b.String()
	}
	b.WriteString("\n| file | line | severity | rule | message |\n| --- | --- | --- | --- | --- |\n")
	const maxRows = 200
	for i, f := range fs {
		if i == maxRows {
			fmt.Fprintf(&b, "\n…and %d more; see the job log.\n", len(fs)-maxRows)
			break
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", markdown.Code(f.File), f.Line, f.Severity, markdown.Text(f.Rule), markdown.Text(f.Message))
	}
	return b.String()
}
