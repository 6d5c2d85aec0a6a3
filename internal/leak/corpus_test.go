package leak

import (
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/leak/corpus"
)

func loadCorpus(t testing.TB) []corpus.Sample {
	t.Helper()
	ss, err := corpus.Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

// TestCorpus holds the scanner to the corpus: every positive is found,
// with the expected Kind and Secret, and no negative yields a match.
func TestCorpus(t *testing.T) {
	samples := loadCorpus(t)
	var pos, neg int
	kinds := map[string]bool{}
	for _, s := range samples {
		res := Scan([]byte(s.Text + "\n"))
		if !s.Positive {
			neg++
			for _, m := range res.Matches {
				t.Errorf("%s: false positive: %d:%d %s %q in %q", s.Source, m.Line, m.Column, m.Kind, m.Secret, s.Text)
			}
			continue
		}
		pos++
		kinds[s.Kind] = true
		found := false
		for _, m := range res.Matches {
			if m.Kind == s.Kind && m.Secret == s.Secret {
				found = true
			}
		}
		if !found {
			var got []string
			for _, m := range res.Matches {
				got = append(got, m.Kind+" "+m.Secret)
			}
			t.Errorf("%s: want %s %q, got [%s]", s.Source, s.Kind, s.Secret, strings.Join(got, "; "))
		}
	}
	if pos < 60 || len(kinds) < 20 || neg < 60 {
		t.Errorf("corpus too small: %d positives of %d kinds, %d negatives (want 60, 20, 60)", pos, len(kinds), neg)
	}
	t.Logf("%d positives of %d kinds, %d negatives", pos, len(kinds), neg)
}
