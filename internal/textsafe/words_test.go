package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWords(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Plural(0, "commit", "commits"), "0 commits"},
		{Plural(1, "commit", "commits"), "1 commit"},
		{Plural(2, "entry", "entries"), "2 entries"},
		{Days(1), "1 day"},
		{Days(-1), "-1 day"},
		{Days(0), "0 days"},
		{Days(-3), "-3 days"},
		{OneLine("plain text"), "plain text"},
		{OneLine("two\r\nlines\tand  a tab\n"), "two lines and a tab"},
		{OneLine("  keeps\u00a0no-break space\n"), "keeps\u00a0no-break space"},
		{Clip("short", 10), "short"},
		{Clip("exactly10!", 10), "exactly10!"},
		{Clip("ünïcödé text", 5), "ünïcö…"},
		{TruncateBytes("abc", 5), "abc"},
		{TruncateBytes("añb", 2), "a"},
		{TruncateBytes("añb", 3), "añ"},
		{TruncateBytes("abc", -1), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func FuzzTruncateBytes(f *testing.F) {
	f.Add("añb€c", 3)
	f.Fuzz(func(t *testing.T, s string, n int) {
		got := TruncateBytes(s, n)
		if len(got) > max(n, 0) || !strings.HasPrefix(s, got) {
			t.Fatalf("TruncateBytes(%q, %d) = %q", s, n, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("TruncateBytes(%q, %d) split a character: %q", s, n, got)
		}
	})
}
