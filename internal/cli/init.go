package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/scaffold"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/validate"
)

type initOptions struct {
	Dir          string
	JiraProject  string
	Timezone     string // "": asked, or UTC
	Recipients   []string
	RecipientSet bool // --recipient given
	// Version is --version; BuildVersion the binary's own (the app's
	// Version), used when it is a release and --version is not given.
	Version, BuildVersion string
	DryRun, Yes           bool
}

func newInitCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "set up a register repository: settings, template, README, schemas, workflows and pre-commit",
		Description: "Writes, at the root of the git repository around --dir, the register folder " + register.DefaultRoot + "/ " +
			"(rotor.yaml, template.yaml, a README for its contributors and a copy of rotor's schemas in " + scaffold.SchemaDir + "/ for editors), " +
			"the workflows that run rotor (" + scaffold.WorkflowDir + "/) and " + scaffold.PreCommitConfig + ". " +
			"Never overwrites a file: when every one exists it stops (exit 1); when some do, it writes the others only with --yes " +
			"(or after asking) and says which it left as they are. A " + scaffold.PreCommitConfig + " that exists is never changed: " +
			"rotor init prints the entry to add to it. The workflows run the rotor release this binary is, or --version; " +
			"a development build needs --version. Asks for missing values when run in a terminal.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Usage: "a `folder` in the git repository to set up (its root is where the files go)", Value: ".", DefaultText: "."},
			&cli.StringFlag{Name: "jira-project", Usage: "Jira project `key` rotor opens tickets in, e.g. SEC"},
			&cli.StringFlag{Name: "timezone", Usage: "the register's time zone, an IANA `name` such as Europe/Berlin (default: UTC)"},
			&cli.StringSliceFlag{Name: "recipient", Usage: "`email` address that receives the weekly report; repeat it, or separate them with commas"},
			&cli.StringFlag{Name: "version", Usage: "the rotor `release` (vX.Y.Z) the workflows and the pre-commit hook run (default: this binary's own)"},
			&cli.BoolFlag{DisableDefaultText: true, Name: "dry-run", Usage: "list every file it would write and which exist; write nothing"},
			&cli.BoolFlag{DisableDefaultText: true, Name: "yes", Usage: "ask nothing before writing; with some files already there, write the others"},
		},
		Action: func(c *cli.Context) error {
			o := initOptions{
				Dir: c.String("dir"), JiraProject: c.String("jira-project"), Timezone: c.String("timezone"),
				Recipients: splitList(c.StringSlice("recipient")), RecipientSet: c.IsSet("recipient"),
				Version: c.String("version"), BuildVersion: c.App.Version,
				DryRun: c.Bool("dry-run"), Yes: c.Bool("yes"),
			}
			return runInit(c.Context, f, o)
		},
	}
}

// runInit sets up a register repository. In order:
//
//  1. the repository: --dir must be in a git working copy, whose root
//     is where everything goes;
//  2. what exists: when every file init writes is there, it stops before
//     any question;
//  3. the values: flags are checked (each problem named by its flag), and
//     in a terminal what is missing is asked; without one, a missing
//     value is an error naming its flag;
//  4. the files are made in memory and the register among them checked
//     with rotor validate's rules;
//  5. the list is printed (--dry-run stops here) and, in a terminal
//     without --yes, confirmed;
//  6. the files are written all or nothing (scaffold.Write).
func runInit(ctx context.Context, f *factory, o initOptions) error {
	root, err := gitRoot(o.Dir)
	if err != nil {
		return err
	}
	all := scaffold.Paths()
	exists := existing(root, all)
	if kept := slices.DeleteFunc(slices.Clone(exists), isPreCommit); len(kept) == len(all)-1 {
		// Every file but the pre-commit configuration, which is never
		// written over anyway: nothing to do.
		return initAllExist(f, root, o, exists)
	}
	needSettings := !slices.Contains(exists, path.Join(register.DefaultRoot, register.SettingsFile))
	if !needSettings && (o.JiraProject != "" || o.Timezone != "" || o.RecipientSet) {
		fmt.Fprintf(f.Stderr, "%s%s exists and is kept as it is: --jira-project, --timezone and --recipient go unused; edit it instead\n",
			exitPrefix, path.Join(register.DefaultRoot, register.SettingsFile))
	}

	v, err := f.validator()
	if err != nil {
		return err
	}
	if err := checkInitFlags(f, v, o); err != nil {
		return err
	}
	useBuild := o.Version == "" && scaffold.IsRelease(o.BuildVersion)
	if !f.Interactive {
		var missing []string
		if needSettings && o.JiraProject == "" {
			missing = append(missing, "--jira-project")
		}
		if o.Version == "" && !useBuild {
			missing = append(missing, "--version")
		}
		if len(missing) > 0 {
			msg := fmt.Sprintf("missing %s: give them as flags, or run rotor init in a terminal to be asked; nothing was written", strings.Join(missing, ", "))
			if slices.Contains(missing, "--version") {
				msg += fmt.Sprintf("\n--version: this rotor is a development build (version %q), which no workflow can name: give the release the workflows and the pre-commit hook should run, e.g. --version v1.0.0", o.BuildVersion)
			}
			return usageError("%s", msg)
		}
	}
	var p *prompter
	if f.Interactive {
		p = newPrompter(ctx, f.Stdin, f.Stderr)
		defer p.close()
		if err := askInit(p, v, &o, needSettings, useBuild); err != nil {
			return err
		}
	}
	if o.Version == "" {
		o.Version = o.BuildVersion
	}
	if !needSettings && o.JiraProject == "" {
		// rotor.yaml exists and is kept: what it would have said is never
		// written, and any valid key lets the other files render.
		o.JiraProject = "SEC"
	}
	files, err := scaffold.Files(scaffold.Options{Version: o.Version, JiraProject: o.JiraProject, Timezone: o.Timezone, Recipients: o.Recipients})
	if err != nil {
		return usageError("%s; nothing was written", leak.Scrub(err.Error()))
	}
	if err := checkRegisterFiles(ctx, f, v, root, files); err != nil {
		return err
	}

	var write []scaffold.File
	var skipped []string
	for _, file := range files {
		if slices.Contains(exists, file.Path) {
			skipped = append(skipped, file.Path)
			continue
		}
		write = append(write, file)
	}
	printInitPlan(f, root, o, skipped)
	preCommitKept := slices.ContainsFunc(skipped, isPreCommit)
	others := len(slices.DeleteFunc(slices.Clone(skipped), isPreCommit))
	if o.DryRun {
		if preCommitKept {
			printPreCommitEntry(f, root, o.Version)
		}
		fmt.Fprintf(f.Stderr, "%sdry run: nothing was written\n", exitPrefix)
		return nil
	}
	switch {
	case others > 0 && !o.Yes && !f.Interactive:
		return failed("%s exist already (listed above as kept); rotor init never overwrites a file: "+
			"pass --yes to write only the missing ones and leave these as they are, or move them away first; nothing was written",
			textsafe.Plural(others, "file", "files"))
	case p != nil && !o.Yes:
		label := fmt.Sprintf("write %s? [Y/n]", textsafe.Plural(len(write), "file", "files"))
		if others > 0 {
			label = fmt.Sprintf("write the %s that are missing and leave the %s that exist as they are? [Y/n]",
				textsafe.Plural(len(write), "file", "files"), textsafe.Plural(others, "file", "files"))
		}
		if err := confirmInit(p, label); err != nil {
			return err
		}
	}
	if err := scaffold.Write(root, write); err != nil {
		if errors.Is(err, scaffold.ErrTaken) {
			return failed("%v; nothing was written", err)
		}
		return usageError("%s; nothing was written", leak.Scrub(err.Error()))
	}
	if preCommitKept {
		printPreCommitEntry(f, root, o.Version)
	}
	fmt.Fprintf(f.Stderr, "%swrote %s", exitPrefix, textsafe.Plural(len(write), "file", "files"))
	if len(skipped) > 0 {
		fmt.Fprintf(f.Stderr, " and kept %s that existed (%s)", textsafe.Plural(len(skipped), "file", "files"), strings.Join(skipped, ", "))
	}
	fmt.Fprintf(f.Stderr, "; next: add credentials with rotor new, run rotor validate, commit, "+
		"and set the secrets and variables the workflows read (rotor's docs/setup.md, step 4)\n")
	return nil
}

// gitRoot returns the root of the git working copy that holds dir: dir
// or the nearest folder above it with a .git (a folder, or a file in a
// linked worktree or submodule).
func gitRoot(dir string) (string, error) {
	shown := leak.Scrub(dir)
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", usageError("--dir %q: %s", shown, leak.Scrub(err.Error()))
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", usageError("--dir %q does not exist; run rotor init in the repository to set up, or pass --dir with a folder of it", shown)
	case err != nil:
		return "", usageError("--dir %q: %s", shown, leak.Scrub(err.Error()))
	case !fi.IsDir():
		return "", usageError("--dir %q is not a folder; pass the repository's folder", shown)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", usageError("%q is not in a git repository: rotor init sets up a register in one; "+
		"run it inside the repository's working copy (git init makes one, git clone fetches one); nothing was written", shown)
}

func isPreCommit(p string) bool { return p == scaffold.PreCommitConfig }

// existing returns the paths, of all, that are there under root.
func existing(root string, all []string) []string {
	files := make([]scaffold.File, len(all))
	for i, p := range all {
		files[i] = scaffold.File{Path: p}
	}
	return scaffold.Existing(root, files)
}

// initAllExist reports, before any question, that there is nothing to
// write: every file init would write is there.
func initAllExist(f *factory, root string, o initOptions, exists []string) error {
	fmt.Fprintf(f.Stdout, "rotor init in %s: every file exists already:\n", textsafe.Value(root))
	for _, p := range exists {
		fmt.Fprintf(f.Stdout, "  exists  %s\n", p)
	}
	if o.DryRun {
		fmt.Fprintf(f.Stderr, "%sdry run: nothing was written, and rotor init would write nothing either\n", exitPrefix)
		return nil
	}
	return failed("every file rotor init writes exists already (listed above); it never overwrites one, so nothing was written: " +
		"to write one again (the schemas' copies after an upgrade, say), move it away and run rotor init --yes")
}

// checkInitFlags checks every value given as a flag, printing each
// problem with its flag and hint.
func checkInitFlags(f *factory, v *validate.Validator, o initOptions) error {
	type flagProblem struct {
		flag string
		p    *problem
	}
	var ps []flagProblem
	if o.Version != "" {
		if p := fromScaffold(scaffold.CheckVersion(o.Version)); p != nil {
			ps = append(ps, flagProblem{"--version", p})
		}
	}
	if o.JiraProject != "" {
		if p := fromScaffold(scaffold.CheckJiraProject(o.JiraProject)); p != nil {
			ps = append(ps, flagProblem{"--jira-project", p})
		}
	}
	if o.Timezone != "" {
		if p := fromScaffold(scaffold.CheckTimezone(o.Timezone)); p != nil {
			ps = append(ps, flagProblem{"--timezone", p})
		}
	}
	for _, r := range o.Recipients {
		if p := checkRecipient(v, r); p != nil {
			ps = append(ps, flagProblem{"--recipient", p})
		}
	}
	for _, fp := range ps {
		fmt.Fprintf(f.Stderr, "%s%s: %s\n", exitPrefix, fp.flag, fp.p.text("    "))
	}
	switch len(ps) {
	case 0:
		return nil
	case 1:
		return usageError("nothing was written: fix the value above")
	}
	return usageError("nothing was written: fix the values above")
}

// checkRecipient checks an address of the weekly report with the rule
// rotor validate applies to report.recipients, which is the owner's: a
// bare address whose domain has a dot (and nothing the leak guard takes
// for a secret).
func checkRecipient(v *validate.Validator, addr string) *problem {
	p := checkValue(v, "owner", addr)
	if p == nil {
		return nil
	}
	// The message quotes the address as validate shows it: a secret in it
	// is already taken out.
	p.msg = strings.TrimPrefix(p.msg, "owner ")
	if p.rule == validate.RuleOwnerEmail {
		p.rule, p.hint = "", "give a bare address such as security-team@example.com; one address a recipient"
	}
	return p
}

// askInit asks, in a terminal, for the values not given: the Jira
// project (required, no default) and the time zone and recipients
// (optional) when rotor.yaml is to be written, and the release when this
// binary is not one.
func askInit(p *prompter, v *validate.Validator, o *initOptions, needSettings, useBuild bool) error {
	var err error
	if needSettings && o.JiraProject == "" {
		o.JiraProject, err = p.ask(question{field: "jira project", label: "Jira project key (e.g. SEC)",
			why: "the Jira project key is required: rotor opens its tickets there (Jira shows it in every issue key: SEC-42)"},
			func(s string) *problem { return fromScaffold(scaffold.CheckJiraProject(s)) })
		if err != nil {
			return err
		}
	}
	if needSettings && o.Timezone == "" {
		o.Timezone, err = p.ask(question{field: "time zone", label: "time zone (IANA name; decides what today is)", def: "UTC"},
			func(s string) *problem { return fromScaffold(scaffold.CheckTimezone(s)) })
		if err != nil {
			return err
		}
	}
	if needSettings && !o.RecipientSet {
		answer, err := p.ask(question{field: "report recipients", label: "weekly report recipients (emails separated by commas, Enter for none)", optional: true},
			func(s string) *problem {
				for _, r := range splitList([]string{s}) {
					if pr := checkRecipient(v, r); pr != nil {
						return pr
					}
				}
				return nil
			})
		if err != nil {
			return err
		}
		o.Recipients = splitList([]string{answer})
	}
	if o.Version == "" && !useBuild {
		o.Version, err = p.ask(question{field: "version", label: fmt.Sprintf("rotor release for the workflows (this rotor is a development build, %s; e.g. v1.0.0)", textsafe.Value(o.BuildVersion)),
			why: "the release is required: the workflows run `uses: rotor-dev/rotor@<release>` and pre-commit `rev: <release>`"},
			func(s string) *problem { return fromScaffold(scaffold.CheckVersion(s)) })
		if err != nil {
			return err
		}
	}
	return nil
}

// confirmInit asks label, a yes-or-no question whose default is yes.
func confirmInit(p *prompter, label string) error {
	answer, err := p.ask(question{field: "write them?", label: label, def: "y"}, func(s string) *problem {
		switch strings.ToLower(s) {
		case "y", "yes", "n", "no":
			return nil
		}
		return &problem{msg: fmt.Sprintf("%q is not an answer", s), hint: "answer y to write the files, or n to write nothing"}
	})
	if err != nil {
		return err
	}
	if a := strings.ToLower(answer); a == "n" || a == "no" {
		return failed("nothing was written: you answered no")
	}
	return nil
}

// fromScaffold is a problem of scaffold's checks as a prompt's or a
// flag's. The message quotes the value: a secret pasted into the wrong
// place is taken out of it.
func fromScaffold(sp *scaffold.Problem) *problem {
	if sp == nil {
		return nil
	}
	return &problem{msg: leak.Scrub(sp.Msg), hint: sp.Hint}
}

// checkRegisterFiles validates the register part of files as rotor
// validate would, in a temporary copy, so that init never writes a
// register that rotor refuses. A finding here is rotor's own mistake.
func checkRegisterFiles(ctx context.Context, f *factory, v *validate.Validator, root string, files []scaffold.File) error {
	tmp, err := os.MkdirTemp("", "rotor-init-*")
	if err != nil {
		return usageError("check the register before writing it: %v; nothing was written", err)
	}
	defer os.RemoveAll(tmp)
	var reg []scaffold.File
	for _, file := range files {
		if strings.HasPrefix(file.Path, register.DefaultRoot+"/") {
			reg = append(reg, file)
		}
	}
	if err := scaffold.Write(tmp, reg); err != nil {
		return usageError("check the register before writing it: %v; nothing was written", err)
	}
	res, err := v.Validate(ctx, validate.Options{Root: filepath.Join(tmp, register.DefaultRoot), Now: f.Now()})
	if err != nil {
		return usageError("check the register before writing it: %v; nothing was written", err)
	}
	if res.Errors() == 0 {
		return nil
	}
	for i := range res.Findings {
		if rel, err := filepath.Rel(tmp, res.Findings[i].File); err == nil {
			res.Findings[i].File = filepath.Join(root, rel)
		}
	}
	writeFindingsText(f.Stderr, res.Findings)
	return failed("the register rotor init would write does not pass rotor validate (above); nothing was written")
}

// printInitPlan lists, on stdout, every file init writes and every one it
// leaves as it is.
func printInitPlan(f *factory, root string, o initOptions, skipped []string) {
	verb := "write"
	if o.DryRun {
		verb = "would write"
	}
	fmt.Fprintf(f.Stdout, "rotor init in %s (the workflows and the pre-commit hook run rotor %s):\n", textsafe.Value(root), o.Version)
	for _, p := range scaffold.Paths() {
		switch {
		case slices.Contains(skipped, p) && p == scaffold.PreCommitConfig:
			fmt.Fprintf(f.Stdout, "  exists  %s (kept as it is: add rotor's hook to it, below)\n", p)
		case slices.Contains(skipped, p):
			fmt.Fprintf(f.Stdout, "  exists  %s (kept as it is)\n", p)
		default:
			fmt.Fprintf(f.Stdout, "  %s  %s\n", verb, p)
		}
	}
}

// printPreCommitEntry says what to add to a .pre-commit-config.yaml that
// exists, unless it has rotor's hook already.
func printPreCommitEntry(f *factory, root, version string) {
	data, err := os.ReadFile(filepath.Join(root, scaffold.PreCommitConfig))
	if err == nil && strings.Contains(string(data), "id: rotor-validate") {
		fmt.Fprintf(f.Stdout, "\n%s runs rotor's hook already (id: rotor-validate); check that its rev is %s.\n", scaffold.PreCommitConfig, version)
		return
	}
	fmt.Fprintf(f.Stdout, "\n%s exists, so rotor init left it as it is; add this item to its repos: list:\n\n%s", scaffold.PreCommitConfig, scaffold.PreCommitEntry(version))
}
