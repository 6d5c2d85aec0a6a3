// Package corpus reads the leak corpus in internal/leak/testdata: the
// secret material the scanner must find (positives.tsv) and the register
// lines it must leave alone (negatives.tsv). The tests and the
// comparison with gitleaks (scripts/bench-leak.sh) read it through here.
//
// Both files hold one sample a line, fields separated by tabs:
//
//	positives.tsv: kind<TAB>secret<TAB>text
//	negatives.tsv: category<TAB>text
//
// kind is the Kind the scanner must report, secret the text of that
// match. In secret and text, \n stands for a newline (a sample may span
// lines, like a private key block) and \\ for a backslash. A line with no
// tab, or whose first field starts with '#', is a comment.
package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Sample is one entry of the corpus.
type Sample struct {
	// Positive: the text holds a secret, which the scanner must find.
	Positive bool
	// Kind is, for a positive, the Kind of the expected match; for a
	// negative, a category (url, arn, email, ...) for the reader.
	Kind string
	// Secret is, for a positive, the expected match's Secret.
	Secret string
	// Text is the sample: one or more register lines, without a final
	// newline.
	Text string
	// Source is file:line of the sample, for messages.
	Source string
}

// Load reads positives.tsv and negatives.tsv from dir.
func Load(dir string) ([]Sample, error) {
	var all []Sample
	for _, f := range []struct {
		name     string
		positive bool
	}{{"positives.tsv", true}, {"negatives.tsv", false}} {
		path := filepath.Join(dir, f.name)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read corpus: %w", err)
		}
		ss, err := Parse(path, string(data), f.positive)
		if err != nil {
			return nil, err
		}
		all = append(all, ss...)
	}
	return all, nil
}

// Parse reads one corpus file; name is used in messages.
func Parse(name, data string, positive bool) ([]Sample, error) {
	var out []Sample
	for i, line := range strings.Split(data, "\n") {
		if !strings.Contains(line, "\t") || strings.HasPrefix(line, "#") {
			continue
		}
		src := fmt.Sprintf("%s:%d", name, i+1)
		f := strings.Split(line, "\t")
		want := 2
		if positive {
			want = 3
		}
		if len(f) != want {
			return nil, fmt.Errorf("%s: want %d tab-separated fields, got %d", src, want, len(f))
		}
		s := Sample{Positive: positive, Kind: f[0], Text: unescape(f[len(f)-1]), Source: src}
		if positive {
			s.Secret = unescape(f[1])
			if s.Secret == "" || !strings.Contains(s.Text, s.Secret) {
				return nil, fmt.Errorf("%s: the secret is not in the text", src)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
