package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// GitHub shows at most this many annotations of each kind per step.
const maxAnnotations = 10

// writeAnnotations prints findings as GitHub Actions workflow commands, the
// first ten errors and ten warnings, and a notice that counts the rest.
//
// Each command is one line. Values from the register have their control
// characters shown escaped (textsafe) before the workflow-command escaping,
// so the only line break in a message is the one rotor puts before the hint,
// sent as %0A; the file keeps its "##[" (textsafe.Controls), since the
// runner reads a line that starts with "::" as a command and never looks
// for the legacy prefix in it.
func writeAnnotations(w io.Writer, fs []register.Finding) {
	var shown, hidden = map[register.Severity]int{}, 0
	for _, f := range fs {
		if shown[f.Severity] >= maxAnnotations {
			hidden++
			continue
		}
		shown[f.Severity]++
		msg := textsafe.Value(f.Message)
		if f.Hint != "" {
			msg += "\n" + textsafe.Value(f.Hint)
		}
		fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", f.Severity,
			escapeProperty(textsafe.Controls(f.File)), f.Line, f.Column, escapeProperty("rotor "+textsafe.Value(f.Rule)), escapeData(msg))
	}
	if hidden > 0 {
		fmt.Fprintf(w, "::notice title=rotor::%s", escapeData(fmt.Sprintf("%d more findings are not annotated; the job log lists them all", hidden)))
		fmt.Fprintln(w)
	}
}

// Workflow-command escaping, as the runner unescapes it (actions/runner
// ActionCommand.cs): data after "::" needs %, CR and LF escaped; a property
// value needs : and , too, which would end it.
var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func escapeData(s string) string     { return dataEscaper.Replace(s) }
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

// maxStepSummary is GitHub's limit for one step's summary.
const maxStepSummary = 1 << 20

// appendStepSummary appends Markdown to $GITHUB_STEP_SUMMARY when it is set.
func appendStepSummary(env Env, markdown string) error {
	path := env.Getenv(envStepSummary)
	if path == "" {
		return nil
	}
	if len(markdown) > maxStepSummary-1024 {
		markdown = strings.ToValidUTF8(markdown[:maxStepSummary-1024], "") + "\n\n…summary cut at GitHub's 1 MiB limit; see the job log.\n"
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("write job summary: %w", err)
	}
	if _, err := io.WriteString(f, markdown+"\n"); err != nil {
		f.Close()
		return fmt.Errorf("write job summary: %w", err)
	}
	return f.Close()
}
